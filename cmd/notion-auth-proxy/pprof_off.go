//go:build !pprof

package main

import (
	"context"

	"go.uber.org/zap"
)

// startProfiling does nothing: profiling is built in only with -tags pprof.
func startProfiling(context.Context, *zap.Logger) {}
