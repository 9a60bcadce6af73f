package credstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// SetRedisLogger sends the Redis client's own log lines (failed dials,
// dropped subscriptions) to log, as warnings with event=redis_client, so
// that stderr stays JSON. The client has one logger for the whole process,
// so main calls this once; the lines name addresses, never passwords.
func SetRedisLogger(log *zap.Logger) {
	redis.SetLogger(redisLog{log: log})
}

type redisLog struct{ log *zap.Logger }

func (l redisLog) Printf(_ context.Context, format string, v ...any) {
	l.log.Warn(strings.TrimSpace(fmt.Sprintf(format, v...)), zap.String("event", "redis_client"))
}
