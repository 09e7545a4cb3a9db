package expr

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Env gives the value of a column for the row being evaluated: nil, float64
// (or any Go integer), string, bool or time.Time.
type Env func(column string) any

// Eval evaluates the expression for one row.
func (e *Expr) Eval(env Env) any { return e.root.eval(env) }

// Holds evaluates a check: false only when the expression is false; null and
// true hold.
func (e *Expr) Holds(env Env) bool {
	b, ok := e.Eval(env).(bool)
	return !ok || b
}

type node interface{ eval(Env) any }

type lit struct{ v any }

func (n *lit) eval(Env) any { return n.v }

type column struct{ name string }

func (n *column) eval(env Env) any { return norm(env(n.name)) }

// norm turns Go numbers into float64.
func norm(v any) any {
	switch v := v.(type) {
	case int:
		return float64(v)
	case int32:
		return float64(v)
	case int64:
		return float64(v)
	case float32:
		return float64(v)
	}
	return v
}

type logic struct {
	or   bool
	l, r node
}

func (n *logic) eval(env Env) any {
	l, lok := n.l.eval(env).(bool)
	if lok && l == n.or { // true or ..., false and ...
		return l
	}
	r, rok := n.r.eval(env).(bool)
	if rok && r == n.or {
		return r
	}
	if !lok || !rok {
		return nil
	}
	return r
}

type notNode struct{ x node }

func (n *notNode) eval(env Env) any {
	if b, ok := n.x.eval(env).(bool); ok {
		return !b
	}
	return nil
}

type isNull struct {
	x   node
	not bool
}

func (n *isNull) eval(env Env) any { return (n.x.eval(env) == nil) != n.not }

type compare struct {
	op   string
	l, r node
}

func (n *compare) eval(env Env) any {
	c, ok := cmp(n.l.eval(env), n.r.eval(env))
	if !ok {
		return nil
	}
	switch n.op {
	case "=", "==":
		return c == 0
	case "!=", "<>":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	default:
		return c >= 0
	}
}

// cmp compares two values of one kind; ok is false for a null or two kinds.
func cmp(l, r any) (int, bool) {
	if l == nil || r == nil {
		return 0, false
	}
	switch l := l.(type) {
	case float64:
		if r, ok := r.(float64); ok {
			switch {
			case l < r:
				return -1, true
			case l > r:
				return 1, true
			}
			return 0, true
		}
	case string:
		if r, ok := r.(string); ok {
			return strings.Compare(l, r), true
		}
	case time.Time:
		if r, ok := r.(time.Time); ok {
			return l.Compare(r), true
		}
	case bool:
		if r, ok := r.(bool); ok {
			if l == r {
				return 0, true
			}
			if !l {
				return -1, true
			}
			return 1, true
		}
	}
	return 0, false
}

type inList struct {
	x    node
	list []node
	not  bool
}

func (n *inList) eval(env Env) any {
	v := n.x.eval(env)
	if v == nil {
		return nil
	}
	for _, e := range n.list {
		if c, ok := cmp(v, e.eval(env)); ok && c == 0 {
			return !n.not
		}
	}
	return n.not
}

type arith struct {
	op   string
	l, r node
}

func (n *arith) eval(env Env) any {
	l, r := n.l.eval(env), n.r.eval(env)
	if l == nil || r == nil {
		return nil
	}
	if n.op == "||" {
		return text(l) + text(r)
	}
	a, aok := l.(float64)
	b, bok := r.(float64)
	if !aok || !bok {
		return nil
	}
	switch n.op {
	case "+":
		return a + b
	case "-":
		return a - b
	case "*":
		return a * b
	case "/":
		if b == 0 {
			return nil
		}
		return a / b
	default:
		if b == 0 {
			return nil
		}
		return math.Mod(a, b)
	}
}

func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case time.Time:
		return v.Format("2006-01-02")
	}
	return fmt.Sprint(v)
}

type call struct {
	name string
	fn   func(args []any) any
	args []node
}

func (n *call) eval(env Env) any {
	args := make([]any, len(n.args))
	for i, a := range n.args {
		args[i] = a.eval(env)
	}
	return n.fn(args)
}

type function struct {
	min, max int // max -1: any number
	fn       func(args []any) any
}

func (f function) arity() string {
	switch {
	case f.max < 0:
		return fmt.Sprintf("%d or more arguments", f.min)
	case f.min == f.max:
		return fmt.Sprintf("%d argument(s)", f.min)
	}
	return fmt.Sprintf("%d to %d arguments", f.min, f.max)
}

func strFn(f func(string) any) func([]any) any {
	return func(a []any) any {
		if s, ok := a[0].(string); ok {
			return f(s)
		}
		return nil
	}
}

func timeFn(f func(time.Time) any) func([]any) any {
	return func(a []any) any {
		if t, ok := a[0].(time.Time); ok {
			return f(t)
		}
		return nil
	}
}

func numFn(f func(float64) any) func([]any) any {
	return func(a []any) any {
		if x, ok := a[0].(float64); ok {
			return f(x)
		}
		return nil
	}
}

var funcs = map[string]function{
	"len":   {1, 1, strFn(func(s string) any { return float64(utf8.RuneCountInString(s)) })},
	"lower": {1, 1, strFn(func(s string) any { return strings.ToLower(s) })},
	"upper": {1, 1, strFn(func(s string) any { return strings.ToUpper(s) })},
	"trim":  {1, 1, strFn(func(s string) any { return strings.TrimSpace(s) })},
	"year":  {1, 1, timeFn(func(t time.Time) any { return float64(t.Year()) })},
	"month": {1, 1, timeFn(func(t time.Time) any { return float64(t.Month()) })},
	"day":   {1, 1, timeFn(func(t time.Time) any { return float64(t.Day()) })},
	"abs":   {1, 1, numFn(func(x float64) any { return math.Abs(x) })},
	"round": {1, 2, func(a []any) any {
		x, ok := a[0].(float64)
		if !ok {
			return nil
		}
		p := 1.0
		if len(a) == 2 {
			d, ok := a[1].(float64)
			if !ok {
				return nil
			}
			p = math.Pow(10, d)
		}
		return math.Round(x*p) / p
	}},
	"days": {2, 2, func(a []any) any {
		from, ok1 := a[0].(time.Time)
		to, ok2 := a[1].(time.Time)
		if !ok1 || !ok2 {
			return nil
		}
		return math.Floor(to.Sub(from).Hours() / 24)
	}},
	"coalesce": {1, -1, func(a []any) any {
		for _, v := range a {
			if v != nil {
				return v
			}
		}
		return nil
	}},
	"date": {1, 1, strFn(func(s string) any {
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t
		}
		return nil
	})},
}

func funcNames() string {
	names := make([]string, 0, len(funcs))
	for n := range funcs {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
