package public

import (
	"bytes"
	"context"
	"encoding/xml"
	"html"
	"net/http"
	"strings"
	"time"
	"unicode"

	xhtml "golang.org/x/net/html"

	"concord"
	"concord/internal/documents"
	"concord/internal/i18n"
)

// Atom 1.0 (RFC 4287) documents, as encoding/xml writes them.
type atomFeed struct {
	XMLName   xml.Name      `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string        `xml:"xml:lang,attr"`
	ID        string        `xml:"id"`
	Title     atomText      `xml:"title"`
	Updated   string        `xml:"updated"`
	Links     []atomLink    `xml:"link"`
	Generator atomGenerator `xml:"generator"`
	Entries   []atomEntry   `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Lang string `xml:"xml:lang,attr,omitempty"`
	Text string `xml:",chardata"`
}

type atomLink struct {
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr,omitempty"`
	HrefLang string `xml:"hreflang,attr,omitempty"`
	Href     string `xml:"href,attr"`
}

type atomGenerator struct {
	URI  string `xml:"uri,attr,omitempty"`
	Text string `xml:",chardata"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr"`
}

type atomEntry struct {
	Lang      string         `xml:"xml:lang,attr"`
	ID        string         `xml:"id"`
	Title     atomText       `xml:"title"`
	Links     []atomLink     `xml:"link"`
	Updated   string         `xml:"updated"`
	Published string         `xml:"published,omitempty"`
	Authors   []atomPerson   `xml:"author"`
	Category  []atomCategory `xml:"category"`
	Summary   atomText       `xml:"summary"`
	Content   atomText       `xml:"content"`
}

// atomTime is the RFC 3339 form Atom wants.
func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// epoch is the updated time of a feed without entries, so that rendering is deterministic
// (the same bytes, hence the same ETag, on every instance).
var epoch = time.Unix(0, 0)

// feed serves GET /pub/{lang}/feed.atom and /pub/{lang}/{kind}/feed.atom: the 50 newest
// published public documents (of one kind), each in lang when translated, else the original.
func (h *Handler) feed(w http.ResponseWriter, r *http.Request) error {
	lang, kind := r.PathValue("lang"), r.PathValue("kind")
	if !h.i18n.Supported(lang) || (kind != "" && !concord.DocKind(kind).Valid()) {
		return notFound()
	}
	return h.cached(w, r, cacheKey{kind: 'f', a: kind, b: lang}, func(ctx context.Context) (*entry, error) {
		return h.renderFeed(ctx, lang, concord.DocKind(kind))
	})
}

func (h *Handler) renderFeed(ctx context.Context, lang string, kind concord.DocKind) (*entry, error) {
	var kinds []concord.DocKind
	if kind != "" {
		kinds = []concord.DocKind{kind}
	}
	docs, _, err := h.docs.PublicList(ctx, kinds, feedEntries, 0)
	if err != nil {
		return nil, err
	}
	l := h.i18n.Localizer(lang)
	s := h.site(ctx, l)
	orgs := h.orgNames(ctx, lang)
	title := l.T("public.feed.title", "site", s.name)
	if kind != "" {
		title = l.T("public.feed.kind_title", "site", s.name, "kind", l.T("public.kinds."+string(kind)))
	}
	self := h.abs(feedPath(lang, string(kind)))
	f := atomFeed{Lang: lang, ID: self, Title: atomText{Type: "text", Text: title},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", HrefLang: lang, Href: h.abs(indexPath(lang))},
		},
		Generator: atomGenerator{Text: "Concord"}}
	updated := epoch
	for _, p := range docs {
		e := h.feedEntry(l, p, lang, orgs)
		f.Entries = append(f.Entries, e.atomEntry)
		if e.updated.After(updated) {
			updated = e.updated
		}
	}
	f.Updated = atomTime(updated)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(f); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return newEntry(http.StatusOK, atomType, lang, buf.Bytes()), nil
}

type feedEntry struct {
	atomEntry
	updated time.Time
}

// feedEntry makes the entry of one document. Its ID is the document's UUID, the same in
// every feed and stable across translations and new versions; updated changes with them.
func (h *Handler) feedEntry(l *i18n.Localizer, p *documents.PublicDocument, lang string, orgs *orgNames) feedEntry {
	d := p.Document
	rend, ok := p.In(lang)
	if !ok {
		rend = p.Renditions[0]
	}
	updated := d.UpdatedAt
	for _, r := range p.Renditions {
		if r.UpdatedAt.After(updated) {
			updated = r.UpdatedAt
		}
	}
	published := updated
	if d.PublishedAt != nil {
		published = *d.PublishedAt
		if published.After(updated) {
			updated = published
		}
	}
	// The provenance travels with the text: a feed reader shows no page around it.
	label, class := provenance(l, rend, orgs)
	var content strings.Builder
	if class != "original" {
		content.WriteString(`<p><strong>` + html.EscapeString(label) + `</strong></p>` + "\n")
	}
	if rend.Outdated {
		content.WriteString(`<p>` + html.EscapeString(l.T("public.prov.outdated", "version", rend.VersionNumber)) + `</p>` + "\n")
	}
	content.WriteString(string(rend.HTML))
	e := atomEntry{Lang: rend.Lang, ID: "urn:uuid:" + d.ID,
		Title:     atomText{Type: "text", Text: rend.Title},
		Updated:   atomTime(updated),
		Published: atomTime(published),
		Authors:   []atomPerson{{Name: issuer(p, lang)}},
		Category:  []atomCategory{{Term: string(d.Kind), Label: l.T("public.kind." + string(d.Kind))}},
		Summary:   atomText{Type: "text", Text: excerpt(string(rend.HTML), 300)},
		Content:   atomText{Type: "html", Text: content.String()},
	}
	e.Links = append(e.Links, atomLink{Rel: "alternate", Type: "text/html", HrefLang: rend.Lang, Href: h.abs(documentPath(rend.Lang, d.ID))})
	for _, r := range p.Renditions {
		if r.Lang != rend.Lang {
			e.Links = append(e.Links, atomLink{Rel: "alternate", Type: "text/html", HrefLang: r.Lang, Href: h.abs(documentPath(r.Lang, d.ID))})
		}
	}
	return feedEntry{atomEntry: e, updated: updated}
}

// excerpt returns the text of an HTML fragment with white space collapsed, cut at a word
// boundary to about max characters.
func excerpt(fragment string, max int) string {
	z := xhtml.NewTokenizer(strings.NewReader(fragment))
	var b strings.Builder
	space := false
	for b.Len() < 4*max {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		switch tt {
		case xhtml.TextToken:
			for _, r := range string(z.Text()) {
				if unicode.IsSpace(r) {
					space = b.Len() > 0
					continue
				}
				if space {
					b.WriteByte(' ')
					space = false
				}
				b.WriteRune(r)
			}
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "p", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "td", "th", "div":
				space = b.Len() > 0
			}
		}
	}
	runes := []rune(b.String())
	if len(runes) <= max {
		return string(runes)
	}
	cut := max
	for i := max; i > max/2; i-- {
		if unicode.IsSpace(runes[i]) {
			cut = i
			break
		}
	}
	return strings.TrimRightFunc(string(runes[:cut]), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) + "…"
}
