package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"

	"concord"
	"concord/internal/documents"
	"concord/internal/httpx"
)

// uploadMemory is how much of a multipart body is kept in memory; the rest of a file goes
// to a temporary file that net/http removes after the request.
const uploadMemory = 1 << 20

// parseUpload reads a multipart form whose body pageLimit bounded, and returns the file of
// field name. A body over the limit or a missing file is an EINVALID error on the field,
// saying how large a file may be.
func parseUpload(r *http.Request, name string, limit int64) (multipart.File, *multipart.FileHeader, error) {
	max := formatSize(state(r).l, limit)
	var v concord.Validation
	if err := r.ParseMultipartForm(uploadMemory); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			v.Add(name, "error.file_too_large", "file too large", "max", max)
			return nil, nil, v.Err()
		}
		if errors.Is(err, http.ErrNotMultipart) {
			return nil, nil, &concord.Error{Code: httpx.EBADREQUEST, Key: "error.bad_form", Message: "not a multipart form"}
		}
		return nil, nil, &concord.Error{Code: httpx.EBADREQUEST, Key: "error.bad_form", Message: "cannot parse form"}
	}
	file, hdr, err := r.FormFile(name)
	if err != nil {
		v.Add(name, "error.file_missing", "choose a file")
		return nil, nil, v.Err()
	}
	if hdr.Size > limit {
		file.Close()
		v.Add(name, "error.file_too_large", "file too large", "max", max)
		return nil, nil, v.Err()
	}
	return file, hdr, nil
}

// onField moves a service error that names no field onto the form field name, so that the
// error summary links to the control the person must change.
func onField(err error, name string) error {
	e := concord.AsError(err)
	if e == nil || e.Code != concord.EINVALID || len(e.Fields) > 0 {
		return err
	}
	var v concord.Validation
	kv := make([]string, 0, 2*len(e.Params))
	for k, val := range e.Params {
		kv = append(kv, k, val)
	}
	v.Add(name, e.Key, e.Message, kv...)
	return v.Err()
}

// attach stores an uploaded file with a document.
func (h *Handler) attach(w http.ResponseWriter, r *http.Request) error {
	if _, err := loggedIn(r); err != nil {
		return err
	}
	id, err := docID(r)
	if err != nil {
		return err
	}
	file, hdr, err := parseUpload(r, "file", documents.MaxAttachment)
	if err == nil {
		defer file.Close()
		_, err = h.docs.Attach(r.Context(), actor(r), id, hdr.Filename, file)
	}
	if err != nil {
		err = onField(err, "file")
		if !fixable(err) {
			return err
		}
		f := newForm(nil)
		h.absorb(r, f, err)
		return h.renderDoc(w, r, httpx.Status(concord.ErrorCode(err)), f)
	}
	return redirect(w, r, "/documents/"+id+"#attachments", "attached")
}

// download sends an attachment as a download, with the type that was sniffed when it was
// stored and a safe file name.
func (h *Handler) download(w http.ResponseWriter, r *http.Request) error {
	if _, err := loggedIn(r); err != nil {
		return err
	}
	id, err := docID(r)
	if err != nil {
		return err
	}
	aid := r.PathValue("aid")
	if !concord.ValidID(aid) {
		return notFound()
	}
	att, f, err := h.docs.OpenAttachment(r.Context(), actor(r), id, aid)
	if err != nil {
		return err
	}
	defer f.Close()
	hdr := w.Header()
	hdr.Set("Content-Type", att.MediaType)
	hdr.Set("Content-Disposition", documents.ContentDisposition(att.Name))
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cache-Control", "private, no-store")
	hdr.Set("Content-Length", strconv.FormatInt(att.Size, 10))
	if r.Method == http.MethodHead {
		return nil
	}
	_, _ = io.Copy(w, f) // a failed write means the client left
	return nil
}
