package public

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"concord"
	"concord/internal/documents"
	"concord/internal/i18n"
)

//go:embed templates/*.html static/public.css
var files embed.FS

// pageNames are the page templates; each is parsed with the layout.
var pageNames = []string{"document", "index", "error"}

func parseTemplates() map[string]*template.Template {
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		pages[name] = template.Must(template.New(name).ParseFS(files, "templates/layout.html", "templates/"+name+".html"))
	}
	return pages
}

// view is what the layout needs, plus the page's own Data.
type view struct {
	Lang, Dir  string // of the interface
	Title      string
	Site       string // the federation's name
	Home       string // the index in the interface language
	CSS        string
	Canonical  string      // absolute
	Alternates []alternate // hreflang links to the page in other languages
	Feed       string      // the Atom feed of the interface language
	Prev, Next string      // paging links
	UILangs    []langLink  // the same page in every interface language
	Data       any

	l *i18n.Localizer
}

// alternate is one <link rel="alternate" hreflang>.
type alternate struct{ Lang, URL string }

// langLink is a link to a page in one language.
type langLink struct {
	Tag     string
	Name    string // in its own language
	Dir     string
	URL     string
	Note    string // "original", "machine translation"
	Current bool
}

// T translates a catalog key.
func (v *view) T(key string, kv ...any) string { return v.l.T(key, kv...) }

// N translates a plural message for count.
func (v *view) N(key string, count int, kv ...any) string { return v.l.N(key, count, kv...) }

// renderHTML executes page name in the layout.
func (h *Handler) renderHTML(name string, v *view) ([]byte, error) {
	t := h.pages[name]
	if t == nil {
		return nil, fmt.Errorf("public: no template %q", name)
	}
	v.CSS = h.cssURL
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, fmt.Errorf("public: render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// newView starts the view of a page in interface language l.
func (h *Handler) newView(l *i18n.Localizer, s site, title string) *view {
	return &view{Lang: l.Tag(), Dir: l.Dir(), Title: title, Site: s.name, Home: indexPath(l.Tag()), Feed: feedPath(l.Tag(), ""), l: l}
}

// uiLangs links the page at path(lang) in every interface language.
func (h *Handler) uiLangs(current string, path func(lang string) string) []langLink {
	var out []langLink
	for _, lang := range h.i18n.Languages() {
		out = append(out, langLink{Tag: lang.Tag, Name: lang.Name, Dir: lang.Dir(), URL: path(lang.Tag), Current: lang.Tag == current})
	}
	return out
}

func indexPath(lang string) string        { return "/pub/" + lang + "/" }
func documentPath(lang, id string) string { return "/pub/" + lang + "/" + id }
func (h *Handler) abs(path string) string { return h.base + path }
func feedPath(lang string, kind string) string {
	if kind == "" {
		return "/pub/" + lang + "/feed.atom"
	}
	return "/pub/" + lang + "/" + kind + "/feed.atom"
}

// site is what every page shows of the federation.
type site struct {
	name string
	loc  *time.Location // the federation's time zone, for dates
}

// site loads the federation's name in lang and its time zone; without federation settings
// the application's name and UTC are used.
func (h *Handler) site(ctx context.Context, l *i18n.Localizer) site {
	s := site{name: l.T("app.name"), loc: time.UTC}
	if h.members == nil {
		return s
	}
	fed, err := h.members.Federation(ctx)
	if err != nil {
		if concord.ErrorCode(err) != concord.ENOTFOUND {
			h.log.WarnContext(ctx, "public: load federation", "error", err)
		}
		return s
	}
	if n := fed.Names[l.Tag()]; n != "" {
		s.name = n
	} else if fed.Name != "" {
		s.name = fed.Name
	}
	if loc, err := time.LoadLocation(fed.TimeZone); err == nil && fed.TimeZone != "" {
		s.loc = loc
	}
	return s
}

// orgNames resolves organization IDs to names in one interface language during one render.
type orgNames struct {
	h     *Handler
	ctx   context.Context
	lang  string
	names map[string]string
}

func (h *Handler) orgNames(ctx context.Context, lang string) *orgNames {
	return &orgNames{h: h, ctx: ctx, lang: lang, names: map[string]string{}}
}

// name returns the organization's name in the interface language, or "" when the
// organization is not publicly known.
func (o *orgNames) name(id string) string {
	if id == "" || o.h.members == nil {
		return ""
	}
	if n, ok := o.names[id]; ok {
		return n
	}
	n := ""
	if org, _, err := o.h.members.Organization(o.ctx, nil, id); err == nil {
		n = org.NameIn(o.lang)
	} else if concord.ErrorCode(err) != concord.ENOTFOUND {
		o.h.log.WarnContext(o.ctx, "public: load organization", "id", id, "error", err)
	}
	o.names[id] = n
	return n
}

// issuer names who issued a document: the organization in the interface language, or the
// issuing body as written.
func issuer(p *documents.PublicDocument, lang string) string {
	if p.Issuer != nil {
		return p.Issuer.NameIn(lang)
	}
	return p.Document.IssuerBody
}

// provenance returns the label a reader must see about where a text came from, and the
// class that styles it ("original", "human", "machine", "machine-reviewed").
func provenance(l *i18n.Localizer, r documents.Rendition, orgs *orgNames) (label, class string) {
	if r.IsSource {
		return l.T("public.prov.original"), "original"
	}
	engine := r.Engine
	if r.EngineVersion != "" {
		engine += " " + r.EngineVersion
	}
	if engine == "" {
		engine = l.T("public.prov.engine_unknown")
	}
	org := orgs.name(r.TranslatorOrg)
	switch r.Provenance {
	case concord.ProvMachine:
		return l.T("public.prov.machine", "engine", engine), "machine"
	case concord.ProvMachineReviewed:
		if org == "" {
			return l.T("public.prov.machine_reviewed_anon", "engine", engine), "machine-reviewed"
		}
		return l.T("public.prov.machine_reviewed", "engine", engine, "org", org), "machine-reviewed"
	}
	if org == "" {
		return l.T("public.prov.human_anon"), "human"
	}
	return l.T("public.prov.human", "org", org), "human"
}

// renditionLinks links every rendition of a document, the current one marked.
func (h *Handler) renditionLinks(l *i18n.Localizer, p *documents.PublicDocument, current string) []langLink {
	var out []langLink
	for _, r := range p.Renditions {
		ll := langLink{Tag: r.Lang, Name: h.langs.autonym(r.Lang), Dir: h.langs.dir(r.Lang), URL: documentPath(r.Lang, p.Document.ID),
			Current: r.Lang == current}
		switch {
		case r.IsSource:
			ll.Note = l.T("public.lang.original")
		case r.Provenance == concord.ProvMachine:
			ll.Note = l.T("public.lang.machine")
		}
		out = append(out, ll)
	}
	return out
}

// htmlEntry renders an HTML page into a cacheable entry.
func (h *Handler) htmlEntry(name string, v *view, contentLanguage string) (*entry, error) {
	body, err := h.renderHTML(name, v)
	if err != nil {
		return nil, err
	}
	return newEntry(http.StatusOK, htmlType, contentLanguage, body), nil
}
