package opendata

// Frequency is how often a dataset is updated: the frequency its schema
// declares (schemas.Dataset.Frequency), never the schedule of the pipelines
// that load it (a quarterly report is quarterly even when a weekly pipeline
// looks for it).
type Frequency string

// The frequencies, named as in the EU frequency vocabulary that DCAT-AP uses.
const (
	Continuous Frequency = "CONT"
	Hourly     Frequency = "HOURLY"
	Daily      Frequency = "DAILY"
	Weekly     Frequency = "WEEKLY"
	Monthly    Frequency = "MONTHLY"
	Quarterly  Frequency = "QUARTERLY"
	Semiannual Frequency = "ANNUAL_2"
	Annual     Frequency = "ANNUAL"
	Irregular  Frequency = "IRREG"
)

// declared maps a schema's frequency to its EU vocabulary code.
var declared = map[string]Frequency{
	"continuous": Continuous, "hourly": Hourly, "daily": Daily, "weekly": Weekly, "monthly": Monthly,
	"quarterly": Quarterly, "semiannual": Semiannual, "annual": Annual, "irregular": Irregular,
}

// Declared is the frequency a schema declares (schemas.Frequencies);
// empty or unknown: Irregular.
func Declared(s string) Frequency {
	if f, ok := declared[s]; ok {
		return f
	}
	return Irregular
}

// URI is the frequency's DCAT-AP (EU authority table) IRI.
func (f Frequency) URI() string {
	return "http://publications.europa.eu/resource/authority/frequency/" + string(f)
}

// MessageKey is the site message naming the frequency.
func (f Frequency) MessageKey() string {
	switch f {
	case Continuous:
		return "freq_continuous"
	case Hourly:
		return "freq_hourly"
	case Daily:
		return "freq_daily"
	case Weekly:
		return "freq_weekly"
	case Monthly:
		return "freq_monthly"
	case Quarterly:
		return "freq_quarterly"
	case Semiannual:
		return "freq_semiannual"
	case Annual:
		return "freq_annual"
	}
	return "freq_irregular"
}
