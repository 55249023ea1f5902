package markdown

import (
	"fmt"
	"html/template"
	"strings"
	"testing"
)

// resolutionText returns a realistic resolution of at least size bytes: headings, preamble
// and operative clauses, links, emphasis, a table, quotations, and paragraphs in Arabic,
// Persian and Russian.
func resolutionText(size int) string {
	var b strings.Builder
	b.WriteString("# Resolution on solidarity with the dock workers\n\n")
	b.WriteString("*Adopted by the World Conference, Second Session.*\n\n")
	for i := 1; b.Len() < size; i++ {
		fmt.Fprintf(&b, "## Part %d\n\n", i)
		b.WriteString("The World Conference of the Federation, **recalling** its earlier resolutions " +
			"and the [Charter](https://example.org/charter#art-3) adopted in 2019, and *noting* the " +
			"reports of the member organizations in more than forty countries,\n\n")
		b.WriteString("1. **Declares** its full solidarity with the striking dock workers and their unions;\n" +
			"2. **Calls upon** all member organizations to organize actions on the `1 May` day of action;\n" +
			"3. **Requests** the Secretariat to report to the next session (see [annex](#p-12)).\n\n")
		b.WriteString("> \"An injury to one is an injury to all.\" — quoted from a letter of the strike committee,\n" +
			"> received on 3 March.\n\n")
		b.WriteString("إن المؤتمر العالمي، إذ يؤكد تضامنه الكامل مع عمال الموانئ المضربين، يدعو جميع المنظمات الأعضاء إلى العمل المشترك.\n\n")
		b.WriteString("کنفرانس جهانی همبستگی کامل خود را با کارگران اعتصابی بنادر اعلام می‌کند و از همه سازمان‌های عضو می‌خواهد.\n\n")
		b.WriteString("Всемирная конференция выражает полную солидарность с бастующими докерами и призывает к совместным действиям.\n\n")
		b.WriteString("| Organization | Country | Pledge |\n|---|---|--:|\n| Dock Workers' Union | Chile | 1,200 |\n" +
			"| Port Workers Federation | India | 950 |\n| Transport Union | Türkiye | 400 |\n\n")
		b.WriteString("- contact: <secretariat@example.org>\n- background: https://example.org/reports/2026 and www.example.org\n\n")
	}
	return b.String()
}

// BenchmarkRender renders a 16 KB resolution. The baseline sub-benchmark escapes the same
// text once through html/template, the per-request cost DESIGN §9 avoids by storing the
// rendered HTML: compare the two in the same run.
func BenchmarkRender(b *testing.B) {
	src := resolutionText(16 << 10)
	r := New()
	b.Run("render", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.Render(src); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plaintext", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			_ = PlainText(src)
		}
	})
	b.Run("baseline-template-escape", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			_ = template.HTMLEscapeString(src)
		}
	})
}

// BenchmarkRenderPathological renders, at MaxSource characters, the inputs that cost
// goldmark the most: deep nesting and link openers (kept linear by defuse), long lines of
// brackets, and a paragraph of link reference definitions (quadratic in goldmark, the
// worst case left).
func BenchmarkRenderPathological(b *testing.B) {
	fill := func(unit string) string { return strings.Repeat(unit, MaxSource/len(unit)) }
	cases := []struct{ name, src string }{
		{"quotes", fill(">")},
		{"nested-list-lines", fill(strings.Repeat("- ", 100) + "a\n")},
		{"link-openers", fill("[a](")},
		{"brackets", fill("[")},
		{"emphasis", fill("*_")},
		{"reference-definitions", fill("[a]: b\n")},
		{"paragraphs", fill("a\n\n")},
	}
	r := New()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.src)))
			for b.Loop() {
				if _, err := r.Render(c.src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
