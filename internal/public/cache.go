package public

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Header values shared by every response (never modified after start-up).
var (
	cachePublic    = []string{"public, max-age=60"}
	cacheImmutable = []string{"public, max-age=31536000, immutable"}
	varyEncoding   = []string{"Accept-Encoding"}
	gzipEncoding   = []string{"gzip"}
	htmlType       = []string{"text/html; charset=utf-8"}
	atomType       = []string{"application/atom+xml; charset=utf-8"}
	cssType        = []string{"text/css; charset=utf-8"}
)

// entry is one rendered response, kept as bytes with everything needed to serve it. It is
// immutable once built, except for the cache's own bookkeeping (elem), which only the cache
// touches under its lock.
type entry struct {
	status       int
	body, gz     []byte   // gz is nil when gzip would not make the body smaller
	etag, etagGz []string // strong ETags of the two representations: `"hash"`, `"hash-gz"`
	length       []string
	gzLength     []string
	ctype        []string
	clang        []string // Content-Language, or nil
	cacheControl []string
	born         time.Time

	key   cacheKey
	group string // the document the page belongs to, or "" for lists (index, feeds)
	elem  *list.Element
}

// newEntry builds a cacheable response: the ETag is a hash of the bytes, so the same page
// rendered by another instance gets the same ETag; the gzipped copy is made once here.
func newEntry(status int, ctype []string, contentLanguage string, body []byte) *entry {
	sum := sha256.Sum256(body)
	tag := base64.RawURLEncoding.EncodeToString(sum[:18])
	e := &entry{status: status, body: body, ctype: ctype, cacheControl: cachePublic,
		etag: []string{`"` + tag + `"`}, length: []string{strconv.Itoa(len(body))}}
	if contentLanguage != "" {
		e.clang = []string{contentLanguage}
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	_, _ = zw.Write(body)                                    // writes to a bytes.Buffer do not fail
	if zw.Close() == nil && buf.Len() < len(body) {
		e.gz = buf.Bytes()
		e.etagGz = []string{`"` + tag + `-gz"`}
		e.gzLength = []string{strconv.Itoa(len(e.gz))}
	}
	return e
}

// size is what the entry costs the cache, roughly.
func (e *entry) size() int64 {
	return int64(len(e.body)+len(e.gz)) + 512
}

// serve writes the entry: 304 when the client's If-None-Match names the representation it
// would get, the gzipped bytes when the client accepts gzip, the plain bytes otherwise.
func (e *entry) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Content-Type"] = e.ctype
	h["Cache-Control"] = e.cacheControl
	h["Vary"] = varyEncoding
	if e.clang != nil {
		h["Content-Language"] = e.clang
	}
	useGz := e.gz != nil && acceptsGzip(r.Header["Accept-Encoding"])
	etag, body, length := e.etag, e.body, e.length
	if useGz {
		etag, body, length = e.etagGz, e.gz, e.gzLength
	}
	h["Etag"] = etag
	if inm := r.Header["If-None-Match"]; len(inm) > 0 && e.status == http.StatusOK && etagListMatches(inm, etag[0]) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if useGz {
		h["Content-Encoding"] = gzipEncoding
	}
	h["Content-Length"] = length
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body) // a failed write means the client left
	}
}

// acceptsGzip reports whether Accept-Encoding header values allow gzip: "gzip" (or
// "x-gzip") with a non-zero q-value, or "*" with a non-zero q-value when gzip is not named.
func acceptsGzip(values []string) bool {
	named, star := -1, -1 // -1: absent; 0: refused; 1: accepted
	for _, v := range values {
		for v != "" {
			var item string
			item, v, _ = strings.Cut(v, ",")
			coding, params, _ := strings.Cut(item, ";")
			coding = strings.TrimSpace(coding)
			ok := 1
			if qZero(params) {
				ok = 0
			}
			switch {
			case strings.EqualFold(coding, "gzip"), strings.EqualFold(coding, "x-gzip"):
				named = max(named, ok)
			case coding == "*":
				star = max(star, ok)
			}
		}
	}
	if named >= 0 {
		return named == 1
	}
	return star == 1
}

// qZero reports whether the parameters of one Accept-Encoding item set q to zero
// ("q=0", "q=0.0", "q=0.000"). A malformed q-value counts as not zero.
func qZero(params string) bool {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		value = strings.TrimSpace(value)
		if value == "" || value[0] != '0' {
			return false
		}
		return strings.Trim(value[1:], ".0") == "" && strings.Count(value, ".") <= 1
	}
	return false
}

// etagListMatches reports whether an If-None-Match header (values may be lists) names etag
// or is "*". Comparison is weak, as RFC 9110 asks for If-None-Match: W/"x" matches "x".
func etagListMatches(values []string, etag string) bool {
	for _, v := range values {
		for v != "" {
			var item string
			item, v, _ = strings.Cut(v, ",")
			item = strings.TrimSpace(item)
			if item == "*" {
				return true
			}
			item = strings.TrimPrefix(item, "W/")
			if item == etag {
				return true
			}
		}
	}
	return false
}

// cacheKey names a cached page. kind is 'd' for a document page (a = document ID, b =
// language), 'i' for an index page (b = language, page), 'f' for a feed (b = language, a =
// kind or "").
type cacheKey struct {
	kind byte
	a, b string
	page int
}

// cache is an LRU of rendered pages bounded by bytes. Entries are grouped by document so
// that Invalidate drops a document's pages; lists (index pages and feeds) form the group "".
type cache struct {
	mu      sync.Mutex
	max     int64
	size    int64
	entries map[cacheKey]*entry
	lru     list.List // front: most recently used
	groups  map[string]map[cacheKey]struct{}
	gen     atomic.Uint64 // bumped (under mu) by every invalidation
}

func newCache(max int64) *cache {
	return &cache{max: max, entries: map[cacheKey]*entry{}, groups: map[string]map[cacheKey]struct{}{}}
}

// generation returns the invalidation counter; a render started in one generation is not
// stored in a later one, because what it read may already be stale.
func (c *cache) generation() uint64 { return c.gen.Load() }

// get returns the cached entry for k, or nil.
func (c *cache) get(k cacheKey) *entry {
	c.mu.Lock()
	e := c.entries[k]
	if e != nil {
		c.lru.MoveToFront(e.elem)
	}
	c.mu.Unlock()
	return e
}

// put stores e under k unless an invalidation happened since generation gen was read, or e
// alone exceeds the bound. Least recently used entries make room.
func (c *cache) put(k cacheKey, e *entry, gen uint64) {
	size := e.size()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != gen || size > c.max {
		return
	}
	if old := c.entries[k]; old != nil {
		c.remove(old)
	}
	e.key = k
	if k.kind == 'd' {
		e.group = k.a
	}
	e.elem = c.lru.PushFront(e)
	c.entries[k] = e
	g := c.groups[e.group]
	if g == nil {
		g = map[cacheKey]struct{}{}
		c.groups[e.group] = g
	}
	g[k] = struct{}{}
	c.size += size
	for c.size > c.max {
		c.remove(c.lru.Back().Value.(*entry))
	}
}

// remove drops one entry; the caller holds mu.
func (c *cache) remove(e *entry) {
	c.lru.Remove(e.elem)
	delete(c.entries, e.key)
	if g := c.groups[e.group]; g != nil {
		delete(g, e.key)
		if len(g) == 0 {
			delete(c.groups, e.group)
		}
	}
	c.size -= e.size()
}

// invalidate drops the pages of document docID and every list page.
func (c *cache) invalidate(docID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	for _, group := range []string{docID, ""} {
		for k := range c.groups[group] {
			c.remove(c.entries[k])
		}
	}
}

// invalidateAll drops every page.
func (c *cache) invalidateAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	clear(c.entries)
	clear(c.groups)
	c.lru.Init()
	c.size = 0
}

// stats returns the number of entries and their size, for tests.
func (c *cache) stats() (n int, size int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries), c.size
}
