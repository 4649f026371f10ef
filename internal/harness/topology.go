// Package harness runs Canteen for tests the way it runs for real: the profile's backing store,
// Dapr placement and scheduler, and each app with its own daprd, all on free loopback ports, from
// the one list of apps in dapr.yaml. Tests talk to the apps only through the Dapr API.
package harness

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// Topology is dapr.yaml, Dapr's multi-app run file: the apps and their settings.
type Topology struct {
	Common AppSpec   `yaml:"common"`
	Apps   []AppSpec `yaml:"apps"`
}

// AppSpec is one app's entry (or the common defaults) in dapr.yaml.
type AppSpec struct {
	AppID              string            `yaml:"appID"`
	AppDirPath         string            `yaml:"appDirPath"`
	AppPort            int               `yaml:"appPort"`
	AppProtocol        string            `yaml:"appProtocol"`
	AppHealthCheckPath string            `yaml:"appHealthCheckPath"`
	DaprHTTPPort       int               `yaml:"daprHTTPPort"`
	DaprGRPCPort       int               `yaml:"daprGRPCPort"`
	MetricsPort        int               `yaml:"metricsPort"`
	ConfigFilePath     string            `yaml:"configFilePath"`
	LogLevel           string            `yaml:"logLevel"`
	Env                map[string]string `yaml:"env"`
	Command            []string          `yaml:"command"`
}

// LoadTopology reads dapr.yaml at the repository root, filling each app from the common section.
func LoadTopology(root string) (Topology, error) {
	raw, err := os.ReadFile(filepath.Join(root, "dapr.yaml"))
	if err != nil {
		return Topology{}, err
	}
	var t Topology
	if err := yaml.Unmarshal(raw, &t); err != nil {
		return Topology{}, fmt.Errorf("dapr.yaml: %w", err)
	}
	for i := range t.Apps {
		a, c := &t.Apps[i], t.Common
		a.AppProtocol = or(a.AppProtocol, c.AppProtocol)
		a.AppHealthCheckPath = or(a.AppHealthCheckPath, c.AppHealthCheckPath)
		a.ConfigFilePath = or(a.ConfigFilePath, c.ConfigFilePath)
		a.LogLevel = or(a.LogLevel, c.LogLevel)
		if a.AppID == "" || a.AppDirPath == "" {
			return Topology{}, fmt.Errorf("dapr.yaml: app %d needs appID and appDirPath", i)
		}
	}
	return t, nil
}

// App returns the spec of app id.
func (t Topology) App(id string) (AppSpec, bool) {
	for _, a := range t.Apps {
		if a.AppID == id {
			return a, true
		}
	}
	return AppSpec{}, false
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// Root finds the repository root: the nearest folder at or above the working directory with dapr.yaml.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "dapr.yaml")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no dapr.yaml in this folder or any above it")
		}
		dir = parent
	}
}
