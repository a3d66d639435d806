package fake

import (
	"net/http"

	"github.com/gorilla/mux"
)

// registerAdmin mounts fakehog's own control routes under /_fake/ (outside /api).
func (s *Server) registerAdmin(m *mux.Router) {
	m.HandleFunc("/_fake/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}).Methods(http.MethodGet, http.MethodHead)
}
