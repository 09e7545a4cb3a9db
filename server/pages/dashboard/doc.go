// Package dashboard serves the leadership dashboard: the targets of Plan
// 210/KH-UBND against today's dossier figures (province, agency, commune,
// month by month), the data-development index and one panel per sector when
// their marts exist, and the freshness of the data with the failed pipelines.
// Filters live in the URL; every figure links to the page of the mart behind
// it (/marts/{name}: its description, SQL, lineage and first rows).
//
// The dossier KPI marts are named here; the other panels are found from the
// marts' metadata (marts.sector_* and a mart whose name holds "index").
package dashboard
