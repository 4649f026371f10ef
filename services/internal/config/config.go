// Package config reads a service's settings from the environment with defaults, the way every
// Canteen service (and Dapr itself) is configured.
package config

import (
	"os"
	"strconv"
	"time"
)

// String returns $key, or def when it is unset or empty.
func String(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// Duration returns $key parsed as a Go duration ("2s", "15m"), or def when unset or unparsable.
func Duration(key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(key)); err == nil {
		return d
	}
	return def
}

// Int returns $key as an integer, or def when unset or unparsable.
func Int(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return n
	}
	return def
}
