package expr

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Expr is a parsed expression.
type Expr struct {
	src  string
	root node
	cols []string
}

// String is the expression's source text.
func (e *Expr) String() string { return e.src }

// Columns lists the columns the expression reads, in order of appearance.
func (e *Expr) Columns() []string { return e.cols }

type parser struct {
	toks []token
	i    int
	cols []string
}

// Parse parses an expression. Errors give the character position.
func Parse(src string) (*Expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", src, err)
	}
	p := &parser{toks: toks}
	n, err := p.or()
	if err == nil && p.peek().kind != tEOF {
		err = fmt.Errorf("at %d: unexpected %q", p.peek().pos+1, p.peek().text)
	}
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", src, err)
	}
	return &Expr{src: src, root: n, cols: p.cols}, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tIdent && t.text == w
}

func (p *parser) isOp(ops ...string) bool {
	t := p.peek()
	return t.kind == tOp && slices.Contains(ops, t.text)
}

func (p *parser) expect(kind tokKind, what string) error {
	if t := p.peek(); t.kind != kind {
		return fmt.Errorf("at %d: want %s, found %q", t.pos+1, what, t.text)
	}
	p.i++
	return nil
}

func (p *parser) or() (node, error) {
	l, err := p.and()
	for err == nil && p.isWord("or") {
		p.i++
		var r node
		if r, err = p.and(); err == nil {
			l = &logic{or: true, l: l, r: r}
		}
	}
	return l, err
}

func (p *parser) and() (node, error) {
	l, err := p.not()
	for err == nil && p.isWord("and") {
		p.i++
		var r node
		if r, err = p.not(); err == nil {
			l = &logic{l: l, r: r}
		}
	}
	return l, err
}

func (p *parser) not() (node, error) {
	if p.isWord("not") {
		p.i++
		x, err := p.not()
		return &notNode{x}, err
	}
	return p.cmp()
}

func (p *parser) cmp() (node, error) {
	l, err := p.add()
	if err != nil {
		return nil, err
	}
	switch {
	case p.isOp("=", "==", "!=", "<>", "<", "<=", ">", ">="):
		op := p.next().text
		r, err := p.add()
		return &compare{op: op, l: l, r: r}, err
	case p.isWord("is"):
		p.i++
		neg := false
		if p.isWord("not") {
			p.i++
			neg = true
		}
		if !p.isWord("null") {
			return nil, fmt.Errorf("at %d: want null after is", p.peek().pos+1)
		}
		p.i++
		return &isNull{x: l, not: neg}, nil
	}
	neg := false
	if p.isWord("not") && (p.toks[p.i+1].text == "in" || p.toks[p.i+1].text == "between") {
		p.i++
		neg = true
	}
	switch {
	case p.isWord("in"):
		p.i++
		if err := p.expect(tLParen, "("); err != nil {
			return nil, err
		}
		in := &inList{x: l, not: neg}
		for {
			v, err := p.add()
			if err != nil {
				return nil, err
			}
			in.list = append(in.list, v)
			if p.peek().kind == tComma {
				p.i++
				continue
			}
			break
		}
		return in, p.expect(tRParen, ")")
	case p.isWord("between"):
		p.i++
		lo, err := p.add()
		if err != nil {
			return nil, err
		}
		if !p.isWord("and") {
			return nil, fmt.Errorf("at %d: want and in between", p.peek().pos+1)
		}
		p.i++
		hi, err := p.add()
		var n node = &logic{l: &compare{op: ">=", l: l, r: lo}, r: &compare{op: "<=", l: l, r: hi}}
		if neg {
			n = &notNode{n}
		}
		return n, err
	}
	return l, nil
}

func (p *parser) add() (node, error) {
	l, err := p.mul()
	for err == nil && p.isOp("+", "-", "||") {
		op := p.next().text
		var r node
		if r, err = p.mul(); err == nil {
			l = &arith{op: op, l: l, r: r}
		}
	}
	return l, err
}

func (p *parser) mul() (node, error) {
	l, err := p.unary()
	for err == nil && p.isOp("*", "/", "%") {
		op := p.next().text
		var r node
		if r, err = p.unary(); err == nil {
			l = &arith{op: op, l: l, r: r}
		}
	}
	return l, err
}

func (p *parser) unary() (node, error) {
	if p.isOp("-") {
		p.i++
		x, err := p.unary()
		return &arith{op: "-", l: &lit{0.0}, r: x}, err
	}
	return p.primary()
}

func (p *parser) primary() (node, error) {
	t := p.next()
	switch t.kind {
	case tNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, fmt.Errorf("at %d: %q is not a number", t.pos+1, t.text)
		}
		return &lit{f}, nil
	case tString:
		return &lit{t.text}, nil
	case tLParen:
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		return n, p.expect(tRParen, ")")
	case tIdent:
		switch t.text {
		case "null":
			return &lit{nil}, nil
		case "true":
			return &lit{true}, nil
		case "false":
			return &lit{false}, nil
		case "and", "or", "not", "is", "in", "between":
			return nil, fmt.Errorf("at %d: unexpected %q", t.pos+1, t.text)
		}
		if p.peek().kind == tLParen {
			return p.call(t)
		}
		if !slices.Contains(p.cols, t.text) {
			p.cols = append(p.cols, t.text)
		}
		return &column{name: t.text}, nil
	}
	if t.kind == tEOF {
		return nil, fmt.Errorf("at %d: the expression ends too early", t.pos+1)
	}
	return nil, fmt.Errorf("at %d: unexpected %q", t.pos+1, t.text)
}

func (p *parser) call(name token) (node, error) {
	f, ok := funcs[name.text]
	if !ok {
		return nil, fmt.Errorf("at %d: unknown function %s (have %s)", name.pos+1, name.text, funcNames())
	}
	p.i++ // (
	c := &call{name: name.text, fn: f.fn}
	if p.peek().kind != tRParen {
		for {
			a, err := p.or()
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
			if p.peek().kind == tComma {
				p.i++
				continue
			}
			break
		}
	}
	if err := p.expect(tRParen, ")"); err != nil {
		return nil, err
	}
	if len(c.args) < f.min || (f.max >= 0 && len(c.args) > f.max) {
		return nil, fmt.Errorf("at %d: %s takes %s", name.pos+1, name.text, f.arity())
	}
	if name.text == "date" {
		// date('2025-07-01') is a constant: check it now.
		if l, ok := c.args[0].(*lit); ok {
			s, _ := l.v.(string)
			d, err := time.Parse("2006-01-02", s)
			if err != nil {
				return nil, fmt.Errorf("at %d: date(%q) is not a yyyy-mm-dd date", name.pos+1, s)
			}
			return &lit{d}, nil
		}
	}
	return c, nil
}
