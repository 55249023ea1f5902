package mt

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// LibreTranslateConfig configures a LibreTranslate engine.
type LibreTranslateConfig struct {
	URL        string       // base URL of the service, e.g. "http://127.0.0.1:5000"
	APIKey     string       // sent as api_key when not empty
	HTTPClient *http.Client // nil means a client with a 60-second timeout
}

// LibreTranslate translates with a LibreTranslate-compatible HTTP service
// (GET /languages, POST /translate), typically self-hosted next to the server. Texts are
// sent as format "text", in one request per call. It is safe for concurrent use.
//
// No LibreTranslate server is available where the tests run, so this client is tested
// against an httptest server implementing the documented API: a seam with no local real
// counterpart.
type LibreTranslate struct {
	base *url.URL
	key  string
	http httpEngine
}

// NewLibreTranslate checks cfg and returns a LibreTranslate engine. It sends nothing.
func NewLibreTranslate(cfg LibreTranslateConfig) (*LibreTranslate, error) {
	base, err := parseBaseURL("LibreTranslate", cfg.URL)
	if err != nil {
		return nil, err
	}
	errorText := func(body []byte) string { return jsonErrorField(body, "error") }
	return &LibreTranslate{base: base, key: cfg.APIKey, http: newHTTPEngine("LibreTranslate", cfg.HTTPClient, errorText)}, nil
}

// Name returns "LibreTranslate".
func (l *LibreTranslate) Name() string { return "LibreTranslate" }

// Version returns "api at HOST": the API has no version of its own, and the models that
// produce a suggestion are those of the configured service.
func (l *LibreTranslate) Version(ctx context.Context) (string, error) {
	return "api at " + l.base.Host, nil
}

// Pairs lists, for every language of GET /languages, the targets it names.
func (l *LibreTranslate) Pairs(ctx context.Context) ([]Pair, error) {
	var langs []struct {
		Code    string   `json:"code"`
		Targets []string `json:"targets"`
	}
	if err := l.http.getJSON(ctx, l.base.JoinPath("languages"), nil, &langs); err != nil {
		return nil, err
	}
	var pairs []Pair
	for _, lang := range langs {
		for _, t := range lang.Targets {
			if t != lang.Code {
				pairs = append(pairs, Pair{Source: libreTranslateTag(lang.Code), Target: libreTranslateTag(t)})
			}
		}
	}
	return pairs, nil
}

// Translate sends the non-blank texts in one POST /translate request.
func (l *LibreTranslate) Translate(ctx context.Context, p Pair, texts []string) ([]string, error) {
	return translateNonBlank(texts, func(batch []string) ([]string, error) {
		req := struct {
			Q      []string `json:"q"`
			Source string   `json:"source"`
			Target string   `json:"target"`
			Format string   `json:"format"`
			APIKey string   `json:"api_key,omitempty"`
		}{batch, libreTranslateCode(p.Source), libreTranslateCode(p.Target), "text", l.key}
		var resp struct {
			TranslatedText []string `json:"translatedText"`
		}
		if err := l.http.postJSON(ctx, l.base.JoinPath("translate"), nil, req, &resp); err != nil {
			return nil, err
		}
		if len(resp.TranslatedText) != len(batch) {
			return nil, fmt.Errorf("libretranslate: got %d translations for %d texts", len(resp.TranslatedText), len(batch))
		}
		return resp.TranslatedText, nil
	})
}

// libreTranslateTag returns the BCP 47 tag for a LibreTranslate language code, which
// are ISO 639-1 codes except "pb" (Brazilian Portuguese) and "zt" (traditional Chinese).
func libreTranslateTag(code string) string {
	switch code {
	case "pb":
		return "pt-BR"
	case "zt":
		return "zh-Hant"
	}
	return canonicalTag(code)
}

// libreTranslateCode returns the LibreTranslate code for a BCP 47 tag: the language
// alone, except for the varieties LibreTranslate names.
func libreTranslateCode(tag string) string {
	switch tag = canonicalTag(tag); tag {
	case "pt-BR":
		return "pb"
	case "zh-Hant", "zh-TW", "zh-Hant-TW":
		return "zt"
	}
	return baseLanguage(tag)
}
