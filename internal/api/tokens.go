package api

import (
	"net/http"

	"concord"
)

// tokenDTO is an API token as its owner sees it; the secret is never shown again.
type tokenDTO struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	CreatedAt  string  `json:"created_at"`
	LastUsedAt *string `json:"last_used_at"`
	RevokedAt  *string `json:"revoked_at"`
}

func tokenOut(t *concord.APIToken) tokenDTO {
	return tokenDTO{ID: t.ID, Name: t.Name, CreatedAt: formatTime(t.CreatedAt), LastUsedAt: formatTimePtr(t.LastUsedAt),
		RevokedAt: formatTimePtr(t.RevokedAt)}
}

// tokenCreatedDTO is a new token with its secret, shown this once.
type tokenCreatedDTO struct {
	tokenDTO
	Secret string `json:"secret"`
}

// tokenCreateRequest names a new token for the acting person.
type tokenCreateRequest struct {
	Name string `json:"name"`
}

func (h *Handler) listTokens(w http.ResponseWriter, r *http.Request) error {
	toks, err := h.auth.Tokens(r.Context(), actor(r))
	if err != nil {
		return err
	}
	out := make([]tokenDTO, len(toks))
	for i := range toks {
		out[i] = tokenOut(&toks[i])
	}
	return writeJSON(w, http.StatusOK, list(out))
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) error {
	var req tokenCreateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	tok, secret, err := h.auth.CreateToken(r.Context(), actor(r), req.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, tokenCreatedDTO{tokenDTO: tokenOut(tok), Secret: secret})
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "token")
	if err != nil {
		return err
	}
	if err := h.auth.RevokeToken(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
