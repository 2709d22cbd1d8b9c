package expr

import "fmt"

// MaxDepth bounds the nesting of parentheses, calls, unary minus and powers
// in a parsed expression; deeper input is a syntax error, so that Parse and
// everything that walks the tree stay within bounded recursion.
const MaxDepth = 200

// Parse parses src into an expression. The grammar, lowest precedence
// first (all binary operators left-associative except ^):
//
//	expr    = term { ("+" | "-") term }
//	term    = unary { ("*" | "/" | "@") unary }
//	unary   = "-" unary | power
//	power   = primary [ "^" unary ]
//	primary = number | name | name "(" [ expr { "," expr } ] ")" | "(" expr ")"
//
// so -x^2 = -(x^2), 2^3^2 = 2^(3^2) and x^-1 is allowed. Errors are
// *SyntaxError values with the line and column of the offending token.
func Parse(src string) (e *Expr, err error) {
	p := &parser{lex: newLexer(src), depth: -1}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*SyntaxError)
			if !ok {
				panic(r)
			}
			e, err = nil, se
		}
	}()
	p.advance()
	if p.tok.kind == tokEOF {
		p.fail(p.tok, "empty expression")
	}
	root := p.expr()
	if p.tok.kind != tokEOF {
		p.fail(p.tok, fmt.Sprintf("unexpected %s after the expression", describe(p.tok)))
	}
	return newExpr(root), nil
}

// parser is a recursive-descent parser over one token of lookahead. It
// reports errors by panicking with a *SyntaxError, recovered by Parse.
type parser struct {
	lex   *lexer
	tok   token
	depth int // nesting level of the current unary, 0 at the top
}

func (p *parser) advance() {
	tok, err := p.lex.next()
	if err != nil {
		panic(err)
	}
	p.tok = tok
}

func (p *parser) fail(at token, msg string) {
	panic(&SyntaxError{Line: at.line, Col: at.col, Msg: msg})
}

func (p *parser) isOp(s string) bool { return p.tok.kind == tokOp && p.tok.text == s }

// expect consumes the operator s or fails naming what was found instead.
func (p *parser) expect(s string, context string) {
	if !p.isOp(s) {
		p.fail(p.tok, fmt.Sprintf("expected %q %s, found %s", s, context, describe(p.tok)))
	}
	p.advance()
}

// expr = term { ("+" | "-") term }
func (p *parser) expr() *term {
	left := p.term()
	for p.isOp("+") || p.isOp("-") {
		op := p.tok
		p.advance()
		left = binary(op, left, p.term())
	}
	return left
}

// term = unary { ("*" | "/" | "@") unary }
func (p *parser) term() *term {
	left := p.unary()
	for p.isOp("*") || p.isOp("/") || p.isOp("@") {
		op := p.tok
		p.advance()
		left = binary(op, left, p.unary())
	}
	return left
}

// unary = "-" unary | power. Every nesting path passes here, so this is
// where the depth is bounded.
func (p *parser) unary() *term {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > MaxDepth {
		p.fail(p.tok, fmt.Sprintf("expression nested deeper than %d levels", MaxDepth))
	}
	if p.isOp("-") {
		op := p.tok
		p.advance()
		return &term{kind: negKind, args: []*term{p.unary()}, line: op.line, col: op.col}
	}
	return p.power()
}

// power = primary [ "^" unary ]
func (p *parser) power() *term {
	base := p.primary()
	if p.isOp("^") {
		op := p.tok
		p.advance()
		return binary(op, base, p.unary())
	}
	return base
}

// primary = number | name | call | "(" expr ")"
func (p *parser) primary() *term {
	tok := p.tok
	switch {
	case tok.kind == tokNum:
		p.advance()
		return &term{kind: numKind, value: tok.value, line: tok.line, col: tok.col}
	case tok.kind == tokIdent:
		p.advance()
		if p.isOp("(") {
			return p.call(tok)
		}
		return &term{kind: varKind, name: tok.text, line: tok.line, col: tok.col}
	case p.isOp("("):
		p.advance()
		inner := p.expr()
		p.expect(")", fmt.Sprintf("to close the parenthesis at line %d, column %d", tok.line, tok.col))
		return inner
	}
	p.fail(tok, fmt.Sprintf("expected a number, a name or '(', found %s", describe(tok)))
	return nil
}

// call parses the argument list of name( ... ).
func (p *parser) call(name token) *term {
	open := p.tok
	p.advance()
	t := &term{kind: callKind, name: name.text, line: name.line, col: name.col}
	if p.isOp(")") {
		p.advance()
		return t
	}
	for {
		t.args = append(t.args, p.expr())
		if !p.isOp(",") {
			break
		}
		p.advance()
	}
	p.expect(")", fmt.Sprintf("to close the call of %s at line %d, column %d", name.text, open.line, open.col))
	return t
}

func binary(op token, left, right *term) *term {
	return &term{kind: binKind, op: op.text[0], args: []*term{left, right}, line: op.line, col: op.col}
}

// describe names a token for an error message.
func describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of input"
	case tokNum:
		return "number " + t.text
	case tokIdent:
		return "name " + t.text
	}
	return fmt.Sprintf("%q", t.text)
}

// MustParse is Parse for examples and tests: it panics on error.
func MustParse(src string) *Expr {
	e, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return e
}
