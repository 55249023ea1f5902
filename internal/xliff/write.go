package xliff

import (
	"bufio"
	"io"
)

// Write writes f as an XLIFF 1.2 document to w. It returns an EINVALID *concord.Error, before
// writing anything, if f is not valid: an empty or multi-line Original, a source or target
// language that is not a language tag, a malformed or repeated unit ID, an unknown State, a
// Target without a State, or text with invalid UTF-8 or control characters other than tab,
// newline and carriage return.
func Write(w io.Writer, f File) error {
	if err := checkFile(f); err != nil {
		return err
	}
	b := bufio.NewWriter(w)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<xliff version="1.2" xmlns="` + Namespace + `">` + "\n")
	b.WriteString(`  <file original="`)
	writeEscaped(b, f.Original, true)
	b.WriteString(`" source-language="`)
	writeEscaped(b, f.SourceLang, true)
	if f.TargetLang != "" {
		b.WriteString(`" target-language="`)
		writeEscaped(b, f.TargetLang, true)
	}
	b.WriteString(`" datatype="plaintext">` + "\n")
	if f.Tool != "" {
		name := f.Tool
		if name == "concord" {
			name = "Concord"
		}
		b.WriteString(`    <header>` + "\n" + `      <tool tool-id="`)
		writeEscaped(b, f.Tool, true)
		b.WriteString(`" tool-name="`)
		writeEscaped(b, name, true)
		b.WriteString(`"/>` + "\n" + `    </header>` + "\n")
	}
	b.WriteString(`    <body>` + "\n")
	for _, u := range f.Units {
		b.WriteString(`      <trans-unit id="`)
		writeEscaped(b, u.ID, true)
		b.WriteString(`" xml:space="preserve"`)
		if u.State == StateFinal {
			b.WriteString(` approved="yes"`)
		}
		b.WriteString(">\n        <source>")
		writeEscaped(b, u.Source, false)
		b.WriteString("</source>\n")
		if u.State != "" {
			b.WriteString(`        <target state="` + u.State + `">`)
			writeEscaped(b, u.Target, false)
			b.WriteString("</target>\n")
		}
		if u.Note != "" {
			b.WriteString(`        <note from="developer">`)
			writeEscaped(b, u.Note, false)
			b.WriteString("</note>\n")
		}
		b.WriteString("      </trans-unit>\n")
	}
	b.WriteString("    </body>\n  </file>\n</xliff>\n")
	return b.Flush()
}

// writeEscaped writes s as XML character data, or as an attribute value when attr is true.
// Carriage returns (and, in attributes, tabs and newlines) become character references so
// that XML's end-of-line and attribute-value normalization cannot change them.
func writeEscaped(b *bufio.Writer, s string, attr bool) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\r':
			esc = "&#xD;"
		case '"':
			if attr {
				esc = "&quot;"
			}
		case '\n':
			if attr {
				esc = "&#xA;"
			}
		case '\t':
			if attr {
				esc = "&#x9;"
			}
		}
		if esc != "" {
			b.WriteString(s[last:i])
			b.WriteString(esc)
			last = i + 1
		}
	}
	b.WriteString(s[last:])
}
