package mt

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// DeepLConfig configures a DeepL engine.
type DeepLConfig struct {
	// URL is the API's base URL; empty means https://api-free.deepl.com for keys of the
	// free plan (ending in ":fx") and https://api.deepl.com for the others.
	URL        string
	APIKey     string       // required; sent as "Authorization: DeepL-Auth-Key KEY"
	HTTPClient *http.Client // nil means a client with a 60-second timeout
}

// deeplMaxTexts is the most texts DeepL accepts in one request.
const deeplMaxTexts = 50

// DeepL translates with the DeepL API v2 (GET /v2/languages, POST /v2/translate). It is
// safe for concurrent use.
//
// DeepL cannot be reached where the tests run, so this client is tested against an
// httptest server implementing the documented API: a seam with no local real
// counterpart.
type DeepL struct {
	base *url.URL
	auth http.Header
	http httpEngine
}

// NewDeepL checks cfg and returns a DeepL engine. It sends nothing.
func NewDeepL(cfg DeepLConfig) (*DeepL, error) {
	if cfg.APIKey == "" {
		return nil, fmt.Errorf("deepl: no api key")
	}
	if cfg.URL == "" {
		cfg.URL = "https://api.deepl.com"
		if strings.HasSuffix(cfg.APIKey, ":fx") {
			cfg.URL = "https://api-free.deepl.com"
		}
	}
	base, err := parseBaseURL("DeepL", cfg.URL)
	if err != nil {
		return nil, err
	}
	errorText := func(body []byte) string { return jsonErrorField(body, "message") }
	return &DeepL{
		base: base,
		auth: http.Header{"Authorization": {"DeepL-Auth-Key " + cfg.APIKey}},
		http: newHTTPEngine("DeepL", cfg.HTTPClient, errorText),
	}, nil
}

// Name returns "DeepL".
func (d *DeepL) Name() string { return "DeepL" }

// Version returns "api v2".
func (d *DeepL) Version(ctx context.Context) (string, error) { return "api v2", nil }

// Pairs pairs every source language with every target language of another language.
// Target languages that DeepL lists only as varieties ("EN-GB", "EN-US") are also
// offered as the bare language ("en"), which DeepL still accepts.
func (d *DeepL) Pairs(ctx context.Context) ([]Pair, error) {
	sources, err := d.languages(ctx, "source")
	if err != nil {
		return nil, err
	}
	targets, err := d.languages(ctx, "target")
	if err != nil {
		return nil, err
	}
	for _, t := range targets {
		if base := baseLanguage(t); base != t && !slices.Contains(targets, base) {
			targets = append(targets, base)
		}
	}
	var pairs []Pair
	for _, s := range sources {
		for _, t := range targets {
			if baseLanguage(s) != baseLanguage(t) {
				pairs = append(pairs, Pair{Source: s, Target: t})
			}
		}
	}
	return pairs, nil
}

// languages returns the BCP 47 tags of GET /v2/languages?type=kind.
func (d *DeepL) languages(ctx context.Context, kind string) ([]string, error) {
	u := d.base.JoinPath("v2", "languages")
	u.RawQuery = url.Values{"type": {kind}}.Encode()
	var langs []struct {
		Language string `json:"language"`
	}
	if err := d.http.getJSON(ctx, u, d.auth, &langs); err != nil {
		return nil, err
	}
	tags := make([]string, len(langs))
	for i, l := range langs {
		tags[i] = canonicalTag(l.Language)
	}
	return tags, nil
}

// Translate sends the non-blank texts in POST /v2/translate requests of at most 50
// texts, with preserve_formatting so that DeepL keeps each segment's own punctuation and
// capitals. The source language is sent without variety, as DeepL wants it ("PT"), the
// target as given ("PT-BR").
func (d *DeepL) Translate(ctx context.Context, p Pair, texts []string) ([]string, error) {
	return translateNonBlank(texts, func(batch []string) ([]string, error) {
		out := make([]string, 0, len(batch))
		for chunk := range slices.Chunk(batch, deeplMaxTexts) {
			req := struct {
				Text               []string `json:"text"`
				SourceLang         string   `json:"source_lang"`
				TargetLang         string   `json:"target_lang"`
				PreserveFormatting bool     `json:"preserve_formatting"`
			}{chunk, strings.ToUpper(baseLanguage(p.Source)), strings.ToUpper(canonicalTag(p.Target)), true}
			var resp struct {
				Translations []struct {
					Text string `json:"text"`
				} `json:"translations"`
			}
			if err := d.http.postJSON(ctx, d.base.JoinPath("v2", "translate"), d.auth, req, &resp); err != nil {
				return nil, err
			}
			if len(resp.Translations) != len(chunk) {
				return nil, fmt.Errorf("deepl: got %d translations for %d texts", len(resp.Translations), len(chunk))
			}
			for _, t := range resp.Translations {
				out = append(out, t.Text)
			}
		}
		return out, nil
	})
}
