package output

import (
	"github.com/samship/samship/internal/sync"
)

// syncRecord is one function's sync.
type syncRecord struct {
	Type string `json:"type"`
	sync.Function
	TookMS int64 `json:"took_ms"`
}

// FunctionSynced implements sync.Reporter: one "sync" record per function (SyncStarted is
// the text's line, as an info record).
func (j *JSON) FunctionSynced(f sync.Function) {
	j.record(syncRecord{Type: "sync", Function: f, TookMS: f.Took.Milliseconds()})
}

// SyncDone writes nothing: the result record sums the sync up.
func (j *JSON) SyncDone(*sync.Result) {}
