package expr

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tokEOF   tokKind = iota
	tokNum           // 12, 1.5, .5, 2e-3
	tokIdent         // x, W1, conv2d, _b
	tokOp            // one of + - * / ^ @ ( ) ,
)

// token is one lexical token with its 1-based position.
type token struct {
	kind      tokKind
	text      string
	value     float64 // for tokNum
	line, col int
}

// lexer splits source text into tokens. Whitespace separates tokens; '#'
// starts a comment that runs to the end of the line.
type lexer struct {
	src       string
	pos       int // byte offset
	line, col int
}

func newLexer(src string) *lexer { return &lexer{src: src, line: 1, col: 1} }

// peekRune returns the rune at the current position and its size.
func (l *lexer) peekRune() (rune, int) {
	if l.pos >= len(l.src) {
		return utf8.RuneError, 0
	}
	return utf8.DecodeRuneInString(l.src[l.pos:])
}

// advance moves past one rune, keeping line and column.
func (l *lexer) advance() {
	r, n := l.peekRune()
	l.pos += n
	if r == '\n' {
		l.line++
		l.col = 1
	} else {
		l.col++
	}
}

// skipSpace skips whitespace and comments.
func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		r, _ := l.peekRune()
		switch {
		case r == '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.advance()
			}
		case unicode.IsSpace(r):
			l.advance()
		default:
			return
		}
	}
}

// next returns the next token or a *SyntaxError.
func (l *lexer) next() (token, error) {
	l.skipSpace()
	tok := token{line: l.line, col: l.col}
	if l.pos >= len(l.src) {
		return tok, nil
	}
	r, _ := l.peekRune()
	start := l.pos
	switch {
	case isDigit(r) || r == '.':
		return l.number(tok)
	case r == '_' || unicode.IsLetter(r):
		for l.pos < len(l.src) {
			r, _ := l.peekRune()
			if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			l.advance()
		}
		tok.kind, tok.text = tokIdent, l.src[start:l.pos]
		return tok, nil
	case r == '+' || r == '-' || r == '*' || r == '/' || r == '^' || r == '@' || r == '(' || r == ')' || r == ',':
		l.advance()
		tok.kind, tok.text = tokOp, string(r)
		return tok, nil
	case r == utf8.RuneError:
		return tok, &SyntaxError{Line: tok.line, Col: tok.col, Msg: "invalid UTF-8"}
	}
	return tok, &SyntaxError{Line: tok.line, Col: tok.col, Msg: fmt.Sprintf("unexpected character %q", r)}
}

// number scans digits [. digits] [(e|E) [+|-] digits].
func (l *lexer) number(tok token) (token, error) {
	start := l.pos
	digits := l.digits()
	if l.pos < len(l.src) && l.src[l.pos] == '.' {
		l.advance()
		digits += l.digits()
	}
	if digits == 0 {
		return tok, &SyntaxError{Line: tok.line, Col: tok.col, Msg: "a number needs at least one digit"}
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		l.advance()
		if l.pos < len(l.src) && (l.src[l.pos] == '+' || l.src[l.pos] == '-') {
			l.advance()
		}
		if l.digits() == 0 {
			return tok, &SyntaxError{Line: l.line, Col: l.col, Msg: "exponent has no digits"}
		}
	}
	text := l.src[start:l.pos]
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return tok, &SyntaxError{Line: tok.line, Col: tok.col, Msg: fmt.Sprintf("number %s is out of range", text)}
	}
	if r, _ := l.peekRune(); r == '_' || unicode.IsLetter(r) {
		return tok, &SyntaxError{Line: l.line, Col: l.col, Msg: fmt.Sprintf("unexpected %q after number %s", r, text)}
	}
	tok.kind, tok.text, tok.value = tokNum, text, v
	return tok, nil
}

// digits consumes ASCII digits and returns how many.
func (l *lexer) digits() int {
	n := 0
	for l.pos < len(l.src) && isDigit(rune(l.src[l.pos])) {
		l.advance()
		n++
	}
	return n
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }
