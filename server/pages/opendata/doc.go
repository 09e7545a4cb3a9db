// Package opendata decides what the open-data portal publishes and reads it:
// the datasets whose schema is classified open and that the serving engine
// serves to the anonymous public (Reader), each with its public columns
// only, read through the engine as that public. A column with a pii: tag is never selected,
// whatever else the server masks: this package is the portal's own guard. The
// portal pages, the CKAN action API and the DCAT catalog all read through it.
package opendata
