package xliff

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"concord"
)

const xliffPrefix = "urn:oasis:names:tc:xliff:document:"

// Read parses one XLIFF 1.2 document of at most MaxFileSize bytes. Every problem with the
// input is an EINVALID *concord.Error whose Key is one of
//
//	error.file_too_large       the input exceeds MaxFileSize (param limit)
//	error.xliff_encoding       not UTF-8 (params line, or unit and char)
//	error.xliff_malformed      not well-formed XML or a broken structure (param line)
//	error.xliff_doctype        a DOCTYPE or other <!…> declaration (param line)
//	error.xliff_root           the root is not <xliff> in the XLIFF namespace (param line)
//	error.xliff_version        an XLIFF version other than 1.2 (param version)
//	error.xliff_no_file        no <file> element
//	error.xliff_many_files     more than one <file> element (param line)
//	error.xliff_file_attr      missing or invalid original, source-language or target-language (params attribute, line)
//	error.xliff_unit_id        missing or malformed trans-unit id (params unit, line)
//	error.xliff_duplicate_unit two trans-units with one id (params unit, line)
//	error.xliff_unit           a trans-unit without <source>, or with two sources or targets (params unit, line)
//	error.xliff_state          an unknown target state (params unit, state, line)
//	error.xliff_control_char   a control character in text (params unit, char, line)
//
// Errors reading r are returned as they are. A <target> without a state attribute gets State
// "final" if the trans-unit has approved="yes", else "translated"; the other XLIFF 1.2 states
// map to the nearest Concord state (signed-off to final, needs-l10n and needs-adaptation to
// needs-translation, needs-review-l10n and needs-review-adaptation and custom x-… states to
// needs-review-translation).
func Read(r io.Reader) (File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return File{}, fmt.Errorf("read xliff: %w", err)
	}
	if len(data) > MaxFileSize {
		return File{}, invalid("error.file_too_large", fmt.Sprintf("the file is larger than %d bytes", MaxFileSize), "limit", strconv.Itoa(MaxFileSize))
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if bytes.HasPrefix(data, []byte("\xFE\xFF")) || bytes.HasPrefix(data, []byte("\xFF\xFE")) {
		return File{}, invalid("error.xliff_encoding", "the file is UTF-16; save it as UTF-8", "line", "1")
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		return File{}, invalid("error.xliff_encoding", fmt.Sprintf("line %d: the file is not valid UTF-8", line), "line", strconv.Itoa(line))
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = func(charset string, _ io.Reader) (io.Reader, error) {
		return nil, invalid("error.xliff_encoding", fmt.Sprintf("the file declares encoding %q; only UTF-8 is accepted", charset), "line", "1", "encoding", charset)
	}
	p := parser{d: d}
	return p.document()
}

// firstInvalid returns the offset of the first byte of data that is not valid UTF-8.
func firstInvalid(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// parser walks the token stream of one document. Nesting (groups, inline elements, skipped
// elements) is tracked with counters, not recursion, so deep input cannot exhaust the stack.
type parser struct {
	d    *xml.Decoder
	f    File
	seen map[string]bool // unit IDs
}

// line returns the input line the decoder has reached.
func (p *parser) line() int {
	line, _ := p.d.InputPos()
	return line
}

func (p *parser) lineParam() string { return strconv.Itoa(p.line()) }

// malformed returns error.xliff_malformed for the current line.
func (p *parser) malformed(format string, args ...any) *concord.Error {
	line := p.line()
	return invalid("error.xliff_malformed", fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...), "line", strconv.Itoa(line))
}

// next returns the next token, with io.EOF at the end of input. It refuses declarations and
// elements with repeated attributes, and turns decoder errors into *concord.Error values.
func (p *parser) next() (xml.Token, error) {
	tok, err := p.d.Token()
	if err != nil {
		if err == io.EOF {
			return nil, err
		}
		if e := concord.AsError(err); e != nil { // from CharsetReader
			return nil, e
		}
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, invalid("error.xliff_malformed", fmt.Sprintf("line %d: %s", se.Line, se.Msg), "line", strconv.Itoa(se.Line))
		}
		return nil, p.malformed("%v", err)
	}
	switch t := tok.(type) {
	case xml.Directive:
		line := p.line()
		return nil, invalid("error.xliff_doctype", fmt.Sprintf("line %d: DOCTYPE and entity declarations are not allowed", line), "line", strconv.Itoa(line))
	case xml.StartElement:
		if repeatedAttr(t.Attr) {
			return nil, p.malformed("element <%s> repeats an attribute", t.Name.Local)
		}
	}
	return tok, nil
}

// inside returns the next token inside an open element, where the end of input is an error.
func (p *parser) inside() (xml.Token, error) {
	tok, err := p.next()
	if err == io.EOF {
		return nil, p.malformed("unexpected end of file")
	}
	return tok, err
}

// repeatedAttr reports whether two attributes have the same (namespace-resolved) name.
func repeatedAttr(attrs []xml.Attr) bool {
	if len(attrs) <= 8 {
		for i := range attrs {
			for j := i + 1; j < len(attrs); j++ {
				if attrs[i].Name == attrs[j].Name {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[xml.Name]bool, len(attrs))
	for _, a := range attrs {
		if seen[a.Name] {
			return true
		}
		seen[a.Name] = true
	}
	return false
}

// attr returns the value of the unqualified attribute name and whether it is present.
func attr(e xml.StartElement, name string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// is reports whether e is the XLIFF 1.2 element local.
func is(e xml.StartElement, local string) bool {
	return e.Name.Space == Namespace && e.Name.Local == local
}

// skip consumes the rest of the element whose start tag was just read.
func (p *parser) skip() error {
	for depth := 1; depth > 0; {
		tok, err := p.inside()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// outside consumes tokens outside the root element: comments, processing instructions and
// white space. It returns the root's start tag, or nil at the end of input.
func (p *parser) outside() (*xml.StartElement, error) {
	for {
		tok, err := p.next()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return &t, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, p.malformed("text outside the root element")
			}
		}
	}
}

func (p *parser) document() (File, error) {
	root, err := p.outside()
	if err != nil {
		return File{}, err
	}
	if root == nil {
		return File{}, p.malformed("the file has no root element")
	}
	version, _ := attr(*root, "version")
	if version == "" && strings.HasPrefix(root.Name.Space, xliffPrefix) {
		version = strings.TrimPrefix(root.Name.Space, xliffPrefix)
	}
	switch {
	case root.Name.Local == "xliff" && version != "" && version != "1.2":
		return File{}, invalid("error.xliff_version", fmt.Sprintf("this is XLIFF %s; Concord reads XLIFF 1.2 only (export XLIFF 1.2 from your tool, or import a PO file instead)", version), "version", version)
	case root.Name.Local != "xliff" || root.Name.Space != Namespace || version != "1.2":
		return File{}, invalid("error.xliff_root", fmt.Sprintf("line %d: the root element is <%s> in namespace %q, not <xliff version=\"1.2\"> in %q", p.line(), root.Name.Local, root.Name.Space, Namespace), "line", p.lineParam())
	}
	files := 0
	for {
		tok, err := p.inside()
		if err != nil {
			return File{}, err
		}
		if _, ok := tok.(xml.EndElement); ok {
			break
		}
		start, ok := tok.(xml.StartElement)
		switch {
		case !ok:
		case is(start, "file"):
			if files++; files > 1 {
				return File{}, invalid("error.xliff_many_files", fmt.Sprintf("line %d: a second <file>; Concord reads files with exactly one", p.line()), "line", p.lineParam())
			}
			if err := p.file(start); err != nil {
				return File{}, err
			}
		default:
			if err := p.skip(); err != nil {
				return File{}, err
			}
		}
	}
	if files == 0 {
		return File{}, invalid("error.xliff_no_file", "the document has no <file> element")
	}
	if extra, err := p.outside(); err != nil {
		return File{}, err
	} else if extra != nil {
		return File{}, p.malformed("a second root element <%s>", extra.Name.Local)
	}
	return p.f, nil
}

// file reads <file>: its attributes, the tool of its header and the units of its body.
func (p *parser) file(start xml.StartElement) error {
	p.f.Original, _ = attr(start, "original")
	p.f.SourceLang, _ = attr(start, "source-language")
	p.f.TargetLang, _ = attr(start, "target-language")
	if err := checkFile(File{Original: p.f.Original, SourceLang: p.f.SourceLang, TargetLang: p.f.TargetLang}); err != nil {
		e := concord.AsError(err) // error.xliff_file_attr, which has Params
		e.Params["line"] = p.lineParam()
		e.Message = "line " + e.Params["line"] + ": " + e.Message
		return e
	}
	p.seen = make(map[string]bool)
	bodies := 0
	for {
		tok, err := p.inside()
		if err != nil {
			return err
		}
		if _, ok := tok.(xml.EndElement); ok {
			break
		}
		start, ok := tok.(xml.StartElement)
		switch {
		case !ok:
		case is(start, "header"):
			err = p.header()
		case is(start, "body"):
			if bodies++; bodies > 1 {
				return p.malformed("a second <body> in <file>")
			}
			err = p.body()
		default:
			err = p.skip()
		}
		if err != nil {
			return err
		}
	}
	if bodies == 0 {
		return p.malformed("<file> has no <body>")
	}
	return nil
}

// header reads <header>, keeping the tool-id of its first <tool>.
func (p *parser) header() error {
	for {
		tok, err := p.inside()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if id, ok := attr(t, "tool-id"); ok && is(t, "tool") && p.f.Tool == "" {
				if badAttr(id) {
					return invalid("error.xliff_file_attr", fmt.Sprintf("line %d: tool-id must be a single line of text", p.line()), "attribute", "tool-id", "line", p.lineParam())
				}
				p.f.Tool = id
			}
			if err := p.skip(); err != nil {
				return err
			}
		}
	}
}

// body reads <body>: trans-units, possibly inside nested <group> elements.
func (p *parser) body() error {
	groups := 0 // open <group> elements
	for {
		tok, err := p.inside()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if groups == 0 {
				return nil
			}
			groups--
		case xml.StartElement:
			switch {
			case is(t, "group"):
				groups++
			case is(t, "trans-unit"):
				err = p.unit(t)
			default:
				err = p.skip()
			}
			if err != nil {
				return err
			}
		}
	}
}

// unit reads one <trans-unit> and appends it to the file.
func (p *parser) unit(start xml.StartElement) error {
	line := p.lineParam()
	id, ok := attr(start, "id")
	if !validID(id) {
		msg := fmt.Sprintf("line %s: trans-unit id %q is not 1 to 64 characters of A-Z, a-z, 0-9, _ and -", line, id)
		if !ok {
			msg = fmt.Sprintf("line %s: trans-unit without id", line)
		}
		return invalid("error.xliff_unit_id", msg, "unit", id, "line", line)
	}
	if p.seen[id] {
		return invalid("error.xliff_duplicate_unit", fmt.Sprintf("line %s: unit %q appears twice", line, id), "unit", id, "line", line)
	}
	p.seen[id] = true
	u := Unit{ID: id}
	var sources, targets int
	state := ""
	var notes []string
	for {
		tok, err := p.inside()
		if err != nil {
			return err
		}
		if _, ok := tok.(xml.EndElement); ok {
			break
		}
		t, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case is(t, "source"):
			sources++
			u.Source, err = p.text(id)
		case is(t, "target"):
			targets++
			state, _ = attr(t, "state")
			u.Target, err = p.text(id)
		case is(t, "note"):
			var note string
			note, err = p.text(id)
			notes = append(notes, note)
		default: // seg-source, alt-trans, context-group, foreign elements …
			err = p.skip()
		}
		if err != nil {
			return err
		}
	}
	if sources != 1 || targets > 1 {
		what := "no <source>"
		switch {
		case sources > 1:
			what = "several <source> elements"
		case targets > 1:
			what = "several <target> elements"
		}
		return invalid("error.xliff_unit", fmt.Sprintf("line %s: unit %q has %s", line, id, what), "unit", id, "line", line)
	}
	u.Note = strings.Join(notes, "\n")
	if targets == 1 {
		approved, _ := attr(start, "approved")
		var err error
		if u.State, err = unitState(state, approved == "yes", u.Target); err != nil {
			return invalid("error.xliff_state", fmt.Sprintf("line %s: unit %q has the unknown state %q", line, id, state), "unit", id, "state", state, "line", line)
		}
	}
	if u.State == "" {
		u.Target = ""
	}
	p.f.Units = append(p.f.Units, u)
	return nil
}

// unitState maps the state attribute of a present <target> to a Concord state.
func unitState(state string, approved bool, target string) (string, error) {
	switch state {
	case "":
		switch {
		case approved:
			return StateFinal, nil
		case target != "":
			return StateTranslated, nil
		}
		return "", nil
	case StateNew, StateNeedsTranslation, StateNeedsReviewTranslation, StateTranslated, StateFinal:
		return state, nil
	case "signed-off":
		return StateFinal, nil
	case "needs-adaptation", "needs-l10n":
		return StateNeedsTranslation, nil
	case "needs-review-adaptation", "needs-review-l10n":
		return StateNeedsReviewTranslation, nil
	}
	if strings.HasPrefix(state, "x-") {
		return StateNeedsReviewTranslation, nil
	}
	return "", errors.New("unknown state")
}

// text reads the content of <source>, <target> or <note> up to its end tag: character data,
// including that inside XLIFF inline elements (<g>, <mrk>, <ph>, …); elements of other
// namespaces are skipped.
func (p *parser) text(unit string) (string, error) {
	line := p.line()
	var b strings.Builder
	for depth := 0; ; {
		tok, err := p.inside()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			if t.Name.Space != Namespace {
				if err := p.skip(); err != nil {
					return "", err
				}
				continue
			}
			depth++
		case xml.EndElement:
			if depth == 0 {
				s := b.String()
				return s, checkText(s, unit, line)
			}
			depth--
		}
	}
}
