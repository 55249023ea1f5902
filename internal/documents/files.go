package documents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"concord"
	"concord/internal/sqldb"
)

// MaxAttachment is the largest file accepted as an attachment.
const MaxAttachment = 20 << 20

// allowedTypes are the media types accepted, as sniffed from the content (never trusted from
// the client): documents and images a federation circulates.
var allowedTypes = map[string]string{
	"application/pdf":           ".pdf",
	"image/png":                 ".png",
	"image/jpeg":                ".jpg",
	"image/webp":                ".webp",
	"text/plain; charset=utf-8": ".txt",
	"application/zip":           ".zip", // OpenDocument and Office files are zip containers
}

// FileStore keeps attachment contents by SHA-256 under a directory, so the same file stored
// twice takes space once and a file's name in storage proves its content.
type FileStore struct{ dir string }

// NewFileStore returns a store under dir (created when needed).
func NewFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("attachment directory: %w", err)
	}
	return &FileStore{dir: dir}, nil
}

func (fs *FileStore) path(sum string) string { return filepath.Join(fs.dir, sum[:2], sum) }

// put stores r (at most MaxAttachment bytes) and returns its hash, size and sniffed type.
func (fs *FileStore) put(r io.Reader) (sum string, size int64, mediaType string, err error) {
	tmp, err := os.CreateTemp(fs.dir, "upload-*")
	if err != nil {
		return "", 0, "", err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	head := make([]byte, 512)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	size, err = io.Copy(io.MultiWriter(tmp, h), io.LimitReader(io.MultiReader(strings.NewReader(string(head)), r), MaxAttachment+1))
	if err != nil {
		return "", 0, "", err
	}
	if size > MaxAttachment {
		return "", 0, "", &concord.Error{Code: concord.EINVALID, Key: "error.file_too_large", Message: "file too large",
			Params: map[string]string{"max": "20 MB"}}
	}
	if size == 0 {
		return "", 0, "", &concord.Error{Code: concord.EINVALID, Key: "error.file_empty", Message: "file is empty"}
	}
	mediaType = http.DetectContentType(head)
	if _, ok := allowedTypes[mediaType]; !ok {
		return "", 0, "", &concord.Error{Code: concord.EINVALID, Key: "error.file_type", Message: "this file type is not accepted",
			Params: map[string]string{"value": mediaType}}
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, "", err
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if err := os.MkdirAll(filepath.Dir(fs.path(sum)), 0o750); err != nil {
		return "", 0, "", err
	}
	if err := os.Rename(tmp.Name(), fs.path(sum)); err != nil {
		return "", 0, "", err
	}
	return sum, size, mediaType, nil
}

// Open returns the content of a stored file.
func (fs *FileStore) Open(sum string) (*os.File, error) {
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return nil, concord.NotFound("file")
	}
	return os.Open(fs.path(sum))
}

// Attach stores a file and attaches it to a document.
func (s *Service) Attach(ctx context.Context, a *concord.Actor, docID, name string, r io.Reader) (*concord.Attachment, error) {
	if s.files == nil {
		return nil, &concord.Error{Code: concord.EINVALID, Key: "error.attachments_off", Message: "attachments are not configured"}
	}
	d, err := s.Get(ctx, a, docID)
	if err != nil {
		return nil, err
	}
	m, err := Authorize(a, ActEdit, d, "")
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, "\\", "/")))
	var v concord.Validation
	if name == "" || name == "." || name == "/" || !utf8.ValidString(name) || len(name) > 200 || strings.ContainsAny(name, "\x00\r\n") {
		v.Add("file", "error.file_name", "needs a file name of at most 200 characters")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	sum, size, mediaType, err := s.files.put(r)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	att := &concord.Attachment{ID: concord.NewID(now), DocumentID: docID, SHA256: sum, Name: name, MediaType: mediaType, Size: size,
		CreatedBy: a.PersonID(), CreatedAt: now}
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.InsertAttachment(att); err != nil {
			return err
		}
		return audit(tx, now, a, m, d.IssuerOrgID, "document.attach", "document", docID, map[string][2]string{"file": {"", name}, "sha256": {"", sum}})
	})
	return att, err
}

// Attachments lists a document's attachments.
func (s *Service) Attachments(ctx context.Context, a *concord.Actor, docID string) ([]concord.Attachment, error) {
	if _, err := s.Get(ctx, a, docID); err != nil {
		return nil, err
	}
	var out []concord.Attachment
	err := s.db.View(ctx, func(tx *sqldb.Tx) (err error) {
		out, err = tx.ListAttachments(docID)
		return err
	})
	return out, err
}

// OpenAttachment returns an attachment's record and content, if the actor may read its document.
func (s *Service) OpenAttachment(ctx context.Context, a *concord.Actor, docID, id string) (*concord.Attachment, *os.File, error) {
	list, err := s.Attachments(ctx, a, docID)
	if err != nil {
		return nil, nil, err
	}
	for i := range list {
		if list[i].ID == id {
			f, err := s.files.Open(list[i].SHA256)
			return &list[i], f, err
		}
	}
	return nil, nil, concord.NotFound("attachment")
}

// ContentDisposition returns a safe attachment header value for a file name.
func ContentDisposition(name string) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": name})
}
