package site

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule says a pipeline's cron schedule in words of the language:
// "0 2 * * *" is "hằng ngày lúc 02:00" (daily at 02:00), "0 5 * * 1" is
// "thứ Hai hằng tuần lúc 05:00", "0 4 5 * *" is "ngày 5 hằng tháng lúc
// 04:00", "*/30 * * * *" is "30 phút một lần". An empty schedule is run on
// demand. A schedule it cannot say (ranges of hours, steps of days) is
// returned as written, with ok false, for the page to show as code.
func (l Lang) Schedule(spec string) (words string, ok bool) {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=") {
		if _, rest, cut := strings.Cut(spec, " "); cut {
			spec = strings.TrimSpace(rest)
		}
	}
	pick := func(vi, en string) (string, bool) { return l.Pick(vi, en), true }
	switch spec {
	case "":
		return pick("chạy khi được yêu cầu", "on demand")
	case "@hourly":
		spec = "0 * * * *"
	case "@daily", "@midnight":
		spec = "0 0 * * *"
	case "@weekly":
		spec = "0 0 * * 0"
	case "@monthly":
		spec = "0 0 1 * *"
	case "@yearly", "@annually":
		spec = "0 0 1 1 *"
	}
	if every, found := strings.CutPrefix(spec, "@every "); found {
		d, err := time.ParseDuration(strings.TrimSpace(every))
		if err != nil || d <= 0 {
			return spec, false
		}
		return pick(l.duration(d)+" một lần", "every "+l.duration(d))
	}
	f := strings.Fields(spec)
	if len(f) != 5 {
		return spec, false
	}
	min, hour, dom, month, dow := f[0], f[1], f[2], f[3], f[4]
	m, minFixed := number(min, 0, 59)
	// Several times a day: every n minutes, or every hour at a minute.
	if n, ok := step(min); ok && hour == "*" && dom == "*" && month == "*" && dow == "*" {
		return pick(fmt.Sprintf("%d phút một lần", n), fmt.Sprintf("every %d minutes", n))
	}
	if !minFixed {
		return spec, false
	}
	if dom == "*" && month == "*" && dow == "*" {
		if hour == "*" {
			return pick(fmt.Sprintf("hằng giờ vào phút %d", m), fmt.Sprintf("hourly at minute %d", m))
		}
		if n, ok := step(hour); ok {
			return pick(fmt.Sprintf("%d giờ một lần vào phút %d", n, m), fmt.Sprintf("every %d hours at minute %d", n, m))
		}
	}
	hours, ok := list(hour, 0, 23)
	if !ok {
		return spec, false
	}
	var times []string
	for _, h := range hours {
		times = append(times, fmt.Sprintf("%02d:%02d", h, m))
	}
	at := l.Pick("lúc ", "at ") + l.and(times)
	switch {
	case dom == "*" && month == "*" && dow == "*":
		return pick("hằng ngày "+at, "daily "+at)
	case dom == "*" && month == "*":
		days, ok := l.weekdays(dow)
		if !ok {
			return spec, false
		}
		return pick(days+" hằng tuần "+at, "weekly on "+days+" "+at)
	case dow != "*":
		return spec, false
	}
	days, ok := list(dom, 1, 31)
	if !ok {
		return spec, false
	}
	var ds []string
	for _, d := range days {
		ds = append(ds, strconv.Itoa(d))
	}
	if month == "*" {
		return pick("ngày "+l.and(ds)+" hằng tháng "+at, "monthly on day "+l.and(ds)+" "+at)
	}
	months, ok := list(month, 1, 12)
	if !ok {
		return spec, false
	}
	if len(months) == 1 && len(days) == 1 {
		return pick(fmt.Sprintf("ngày %02d/%02d hằng năm %s", days[0], months[0], at),
			fmt.Sprintf("yearly on %d %s %s", days[0], time.Month(months[0]), at))
	}
	var ms []string
	for _, mo := range months {
		ms = append(ms, l.Pick(strconv.Itoa(mo), time.Month(mo).String()))
	}
	return pick("ngày "+l.and(ds)+" các tháng "+l.and(ms)+" "+at, "on day "+l.and(ds)+" of "+l.and(ms)+" "+at)
}

// duration says a duration in hours and minutes.
func (l Lang) duration(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	if h > 0 {
		parts = append(parts, strconv.Itoa(h)+l.Pick(" giờ", plural(h, " hour")))
	}
	if m > 0 || h == 0 {
		parts = append(parts, strconv.Itoa(m)+l.Pick(" phút", plural(m, " minute")))
	}
	return strings.Join(parts, " ")
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

var weekdayNames = [7][2]string{
	{"Chủ nhật", "Sunday"}, {"thứ Hai", "Monday"}, {"thứ Ba", "Tuesday"}, {"thứ Tư", "Wednesday"},
	{"thứ Năm", "Thursday"}, {"thứ Sáu", "Friday"}, {"thứ Bảy", "Saturday"},
}

// weekdays names the days of a cron day-of-week field (0 or 7: Sunday).
func (l Lang) weekdays(field string) (string, bool) {
	if a, b, isRange := strings.Cut(field, "-"); isRange {
		x, ok1 := number(a, 0, 7)
		y, ok2 := number(b, 0, 7)
		if !ok1 || !ok2 || x >= y {
			return "", false
		}
		return l.Pick("từ "+weekdayNames[x%7][0]+" đến "+weekdayNames[y%7][0], weekdayNames[x%7][1]+" to "+weekdayNames[y%7][1]), true
	}
	days, ok := list(field, 0, 7)
	if !ok {
		return "", false
	}
	var names []string
	for _, d := range days {
		names = append(names, l.Pick(weekdayNames[d%7][0], weekdayNames[d%7][1]))
	}
	return l.and(names), true
}

// and joins words: "a, b và c", "a, b and c".
func (l Lang) and(ws []string) string {
	if len(ws) < 2 {
		return strings.Join(ws, "")
	}
	return strings.Join(ws[:len(ws)-1], ", ") + l.Pick(" và ", " and ") + ws[len(ws)-1]
}

// number reads a whole number in [lo, hi].
func number(s string, lo, hi int) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= lo && n <= hi
}

// list reads a comma-separated list of numbers in [lo, hi].
func list(s string, lo, hi int) ([]int, bool) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		n, ok := number(p, lo, hi)
		if !ok {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// step reads "*/n".
func step(s string) (int, bool) {
	rest, ok := strings.CutPrefix(s, "*/")
	if !ok {
		return 0, false
	}
	return number(rest, 1, 59)
}
