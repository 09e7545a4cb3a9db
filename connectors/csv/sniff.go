package csv

import "bytes"

// candidates are the delimiters that "auto" chooses among, in order of preference.
var candidates = []rune{',', ';', '\t', '|'}

// sniff chooses the delimiter from the first lines of decoded text: the
// candidate that appears on the first line (outside quotes) and the same
// number of times on the most of the following lines; ties go to the one that
// splits the first line into more fields, then to the earlier candidate. With
// no candidate on the first line, the file has one column and ',' is returned.
func sniff(sample []byte) rune {
	lines := splitRecords(sample, 20)
	if len(lines) == 0 {
		return ','
	}
	best, bestScore := ',', 0
	for _, d := range candidates {
		first := countOutside(lines[0], d)
		if first == 0 {
			continue
		}
		same := 0
		for _, l := range lines[1:] {
			if countOutside(l, d) == first {
				same++
			}
		}
		if score := same*1000 + first; score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// splitRecords cuts up to max records from b, keeping quoted line breaks
// inside a record; a last record cut by the end of the sample is left out
// unless it is the only one.
func splitRecords(b []byte, max int) [][]byte {
	var out [][]byte
	inQuote, start := false, 0
	for i := 0; i < len(b) && len(out) < max; i++ {
		switch b[i] {
		case '"':
			inQuote = !inQuote
		case '\n':
			if !inQuote {
				if l := bytes.TrimRight(b[start:i], "\r"); len(bytes.TrimSpace(l)) > 0 {
					out = append(out, l)
				}
				start = i + 1
			}
		}
	}
	if len(out) == 0 && start < len(b) {
		out = append(out, b[start:])
	}
	return out
}

// countOutside counts d in line outside double quotes.
func countOutside(line []byte, d rune) int {
	n, inQuote := 0, false
	for _, r := range string(line) {
		switch {
		case r == '"':
			inQuote = !inQuote
		case r == d && !inQuote:
			n++
		}
	}
	return n
}
