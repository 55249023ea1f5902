package api

import (
	"io"
	"mime"
	"net/http"
	"strconv"

	"concord"
	"concord/internal/documents"
	"concord/internal/httpx"
)

// attachmentDTO is a file attached to a document. MediaType was sniffed from the content
// when it was uploaded; SHA256 is the hex digest of the content.
type attachmentDTO struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	MediaType string  `json:"media_type"`
	Size      int64   `json:"size"`
	SHA256    string  `json:"sha256"`
	CreatedBy *string `json:"created_by"`
	CreatedAt string  `json:"created_at"`
}

func attachmentOut(a *concord.Attachment) attachmentDTO {
	return attachmentDTO{ID: a.ID, Name: a.Name, MediaType: a.MediaType, Size: a.Size, SHA256: a.SHA256,
		CreatedBy: optional(a.CreatedBy), CreatedAt: formatTime(a.CreatedAt)}
}

func (h *Handler) listAttachments(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "document")
	if err != nil {
		return err
	}
	atts, err := h.docs.Attachments(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	out := make([]attachmentDTO, len(atts))
	for i := range atts {
		out[i] = attachmentOut(&atts[i])
	}
	return writeJSON(w, http.StatusOK, list(out))
}

func (h *Handler) createAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "document")
	if err != nil {
		return err
	}
	if !isMultipart(r.Header.Get("Content-Type")) {
		return uploadMediaTypeError(nil)
	}
	file, name, err := openUpload(w, r, documents.MaxAttachment)
	if err != nil {
		return err
	}
	upload := &trackedReader{r: file}
	att, err := h.docs.Attach(r.Context(), actor(r), id, name, upload)
	if err != nil {
		if e := concord.AsError(err); e != nil && e.Key == "error.file_too_large" {
			return tooLarge()
		}
		if upload.err != nil {
			return readError(upload.err) // the client's upload broke off or went over the limit
		}
		return err
	}
	w.Header().Set("Location", Prefix+"/documents/"+id+"/attachments/"+att.ID)
	return writeJSON(w, http.StatusCreated, attachmentOut(att))
}

// isMultipart reports whether a Content-Type is multipart/form-data.
func isMultipart(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "multipart/form-data"
}

func (h *Handler) getAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "document")
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid", "attachment")
	if err != nil {
		return err
	}
	att, f, err := h.docs.OpenAttachment(r.Context(), actor(r), id, aid)
	if err != nil {
		return err
	}
	defer f.Close()
	hd := w.Header()
	hd.Set("Content-Type", att.MediaType)
	hd.Set("Content-Length", strconv.FormatInt(att.Size, 10))
	hd.Set("Content-Disposition", documents.ContentDisposition(att.Name))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		if _, err := io.Copy(w, f); err != nil {
			h.log.WarnContext(r.Context(), "attachment download cut short", "attachment", att.ID, "person", httpx.ActorFrom(r.Context()).PersonID(), "err", err)
		}
	}
	return nil
}

// trackedReader remembers the first error of its reader other than EOF, to tell a broken
// upload from a failure to store it.
type trackedReader struct {
	r   io.Reader
	err error
}

func (t *trackedReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF && t.err == nil {
		t.err = err
	}
	return n, err
}
