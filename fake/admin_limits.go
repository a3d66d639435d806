package fake

import (
	"fmt"
	"net/http"
	"time"

	"github.com/fakehog/fakehog/fake/store"
)

// Limits of the admin operations that carry or build a whole world (PUT /_fake/snapshot,
// POST /_fake/scenario): a size limit on an import's body, one such operation at a time,
// and deadlines long enough for a million-member world (the dev server's 30 s read and
// write timeouts are meant for API requests).

// DefaultMaxImportBytes is the largest PUT /_fake/snapshot body accepted by default
// (larger → 413). WithMaxImportBytes (-max-import-bytes) changes it.
const DefaultMaxImportBytes = 512 << 20

// WithMaxImportBytes sets the largest state export PUT /_fake/snapshot accepts (default
// DefaultMaxImportBytes). The body is held in memory while it is checked, and only one
// import runs at a time, so this bounds the memory an import takes beyond the state.
func WithMaxImportBytes(n int64) Option { return func(c *config) { c.maxImportBytes = n } }

// adminDeadline is how long an admin request may take to be read and answered (a
// variable for tests).
var adminDeadline = 10 * time.Minute

// extendAdminDeadlines gives an admin request adminDeadline to be read and answered,
// whatever the server's own timeouts (when the connection supports deadlines).
func extendAdminDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	at := time.Now().Add(adminDeadline) // a network deadline: wall-clock time, not the fake's clock
	_ = rc.SetReadDeadline(at)
	_ = rc.SetWriteDeadline(at)
}

// errImportBusy answers an import or scenario load while another one runs.
var errImportBusy = store.Conflict("Another import or scenario load is in progress on this fakehog; try again when it has finished.")

// beginImport takes the one import slot, or answers 409 when it is taken; the caller
// releases it when done.
func (s *Server) beginImport() (release func(), err error) {
	if !s.importing.TryLock() {
		return nil, errImportBusy
	}
	return s.importing.Unlock, nil
}

// errImportTooLarge answers an import over the limit.
func errImportTooLarge(limit int64) *store.Error {
	e := errTooLarge(limit)
	e.Detail += fmt.Sprintf(" A state import is limited to %d bytes: start fakehog with a larger -max-import-bytes (FAKEHOG_MAX_IMPORT_BYTES) to import more.", limit)
	return e
}
