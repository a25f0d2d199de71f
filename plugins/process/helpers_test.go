package process

import (
	"testing"

	"errors"
	"github.com/hekad-go/hekad/plugins/plugintest"
	_ "github.com/hekad-go/hekad/plugins/split" // NullSplitter, which ProcessInput files use
	"log/slog"

	"github.com/hekad-go/hekad/pipeline"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func errorsIsRetry(err error) bool { return errors.Is(err, pipeline.ErrRetry) }

func plugintestEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	plugintest.Eventually(t, waitLong, what, cond)
}
