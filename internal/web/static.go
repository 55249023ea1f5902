package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"
)

// staticFile is one embedded asset with its content hash.
type staticFile struct {
	name        string
	hash        string // first 16 hex digits of the SHA-256 of the content
	content     []byte
	contentType string
}

// staticSet holds every asset under static/, by file name.
type staticSet struct {
	files map[string]*staticFile
}

func loadStatic(fsys fs.FS) (*staticSet, error) {
	set := &staticSet{files: map[string]*staticFile{}}
	err := fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := path.Base(p)
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		set.files[name] = &staticFile{name: name, hash: hex.EncodeToString(sum[:8]), content: b, contentType: ctype}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	return set, nil
}

// url returns the content-hash URL of a static file. Templates call it through view.Static;
// an unknown name is a template bug and fails rendering.
func (s *staticSet) url(name string) (string, error) {
	f := s.files[name]
	if f == nil {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return "/static/" + f.hash + "/" + f.name, nil
}

// serveStatic serves GET /static/{hash}/{file}. With the current hash the response may be
// cached for a year; a stale hash (a page from before a deploy) gets the current file,
// uncached.
func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	f := h.static.files[r.PathValue("file")]
	if f == nil {
		http.NotFound(w, r)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", f.contentType)
	hdr.Set("X-Content-Type-Options", "nosniff")
	if r.PathValue("hash") == f.hash {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	hdr.Set("ETag", `"`+f.hash+`"`)
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(f.content))
}
