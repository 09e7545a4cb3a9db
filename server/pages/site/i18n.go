package site

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Lang is a page language: Vietnamese first, English on request.
type Lang string

// The languages.
const (
	VI Lang = "vi"
	EN Lang = "en"
)

// LangCookie keeps the language a reader chose.
const LangCookie = "kho_lang"

// LangOf reads the language of a request: ?lang=, else the cookie, else
// Vietnamese. A ?lang= choice is remembered in the cookie.
func LangOf(w http.ResponseWriter, r *http.Request) Lang {
	if q := r.URL.Query().Get("lang"); q == string(VI) || q == string(EN) {
		if w != nil {
			http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
		}
		return Lang(q)
	}
	if c, err := r.Cookie(LangCookie); err == nil && c.Value == string(EN) {
		return EN
	}
	return VI
}

// Pick returns vi or en by language, falling back to vi when en is empty.
func (l Lang) Pick(vi, en string) string {
	if l == EN && en != "" {
		return en
	}
	return vi
}

// T translates a message key; an unknown key is shown as itself.
func (l Lang) T(key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	return l.Pick(m[0], m[1])
}

// Int formats a whole number with the language's digit grouping:
// 12.345 in Vietnamese, 12,345 in English.
func (l Lang) Int(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := "."
	if l == EN {
		sep = ","
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Num formats a number with up to digits decimals (trailing zeros dropped)
// and the language's separators.
func (l Lang) Num(v float64, digits int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	whole := math.Trunc(v)
	if digits == 0 || v == whole {
		return l.Int(int64(math.Round(v)))
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', digits, 64)
	ip, fp, _ := strings.Cut(s, ".")
	fp = strings.TrimRight(fp, "0")
	n, _ := strconv.ParseInt(ip, 10, 64)
	out := l.Int(n)
	if v < 0 {
		out = "-" + out
	}
	if fp == "" {
		return out
	}
	if l == EN {
		return out + "." + fp
	}
	return out + "," + fp
}

// Pct formats a ratio (0.619) as a percentage with one decimal (61,9%).
func (l Lang) Pct(ratio float64) string {
	if math.IsNaN(ratio) || math.IsInf(ratio, 0) {
		return "–"
	}
	return l.Num(math.Round(ratio*1000)/10, 1) + "%"
}

// Month formats a month: 03/2025 in both languages (as the province writes it).
func (l Lang) Month(t time.Time) string { return t.Format("01/2006") }

// DateTime formats a time in Asia/Ho_Chi_Minh.
func (l Lang) DateTime(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.In(HCM).Format("02/01/2006 15:04")
}

// Ago says how long ago t was, roughly: "3 giờ trước", "2 days ago".
func (l Lang) Ago(now, t time.Time) string {
	if t.IsZero() {
		return l.T("never")
	}
	d := now.Sub(t)
	var n int64
	var unit string
	switch {
	case d < time.Minute:
		return l.T("just_now")
	case d < time.Hour:
		n, unit = int64(d/time.Minute), "minutes"
	case d < 48*time.Hour:
		n, unit = int64(d/time.Hour), "hours"
	default:
		n, unit = int64(d/(24*time.Hour)), "days"
	}
	return strconv.FormatInt(n, 10) + " " + l.T(unit+"_ago")
}

// HCM is the province's time zone.
var HCM = time.FixedZone("Asia/Ho_Chi_Minh", 7*3600)
