package api

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"

	"concord"
	"concord/internal/httpx"
)

// multipartSlack is what a multipart/form-data body may carry beyond its file: boundaries,
// part headers and small fields.
const multipartSlack = 64 << 10

// uploadField is the multipart/form-data part that holds an uploaded file.
const uploadField = "file"

// uploadMediaTypeError refuses a body that is neither one of types nor multipart/form-data.
func uploadMediaTypeError(types []string) error {
	accepted := strings.Join(append(slices.Clone(types), "multipart/form-data"), ", ")
	return &concord.Error{Code: httpx.EMEDIATYPE, Key: "error.content_type", Params: map[string]string{"type": accepted},
		Message: "send the file as " + accepted}
}

// tooLarge is the error for an upload over its limit.
func tooLarge() error {
	return &concord.Error{Code: httpx.ETOOLARGE, Key: "error.file_too_large", Message: "file too large"}
}

// badUpload is the error for a multipart body that cannot be read.
func badUpload(msg string) error {
	return &concord.Error{Code: httpx.EBADREQUEST, Key: "error.bad_upload", Message: msg}
}

// readError turns an error reading a request body into an API error: over the limit is 413,
// anything else a malformed upload.
func readError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return tooLarge()
	}
	if concord.AsError(err) != nil {
		return err
	}
	return badUpload("cannot read the upload: " + err.Error())
}

// openUpload returns the uploaded file: the raw body when its Content-Type is one of types
// (parameters such as charset are ignored: the readers check the encoding themselves), or the
// part named "file" of a multipart/form-data body, with its file name. The body is cut off
// after max bytes plus, for multipart, multipartSlack; callers that read the file must
// themselves stop after max bytes of it. A missing file part is invalid input.
func openUpload(w http.ResponseWriter, r *http.Request, max int64, types ...string) (io.Reader, string, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, "", uploadMediaTypeError(types)
	}
	switch {
	case slices.Contains(types, mt):
		return http.MaxBytesReader(w, r.Body, max), "", nil
	case mt == "multipart/form-data":
		if params["boundary"] == "" {
			return nil, "", badUpload("multipart/form-data without a boundary")
		}
		mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, max+multipartSlack), params["boundary"])
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				var v concord.Validation
				v.Add(uploadField, "error.missing", "is required")
				return nil, "", v.Err()
			}
			if err != nil {
				return nil, "", readError(err)
			}
			if part.FormName() == uploadField {
				return part, part.FileName(), nil
			}
		}
	}
	return nil, "", uploadMediaTypeError(types)
}

// readUpload reads the uploaded file (see openUpload) into memory: at most max bytes, else 413.
func readUpload(w http.ResponseWriter, r *http.Request, max int64, types ...string) ([]byte, error) {
	f, _, err := openUpload(w, r, max, types...)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, readError(err)
	}
	if int64(len(data)) > max {
		return nil, tooLarge()
	}
	return data, nil
}
