package pipelines

import "github.com/sonla-data/kho/quality"

// QuarantineSuffix names a dataset's quarantine table: <dataset>__quarantine.
const QuarantineSuffix = quality.QuarantineSuffix

// QuarantineSchema is the Iceberg schema of every quarantine table (see
// quality.QuarantineSchema, which builds the quarantine's batches too).
var QuarantineSchema = quality.QuarantineSchema
