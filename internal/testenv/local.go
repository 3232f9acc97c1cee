package testenv

import (
	"context"
	"fmt"
	"os"
	"sort"
)

// LocalAWS is the whole local AWS one runs samship against by hand or in the demo: moto with
// the SAM transform, a registry that is one store with its ECR, and a Docker engine when one
// starts here.
type LocalAWS struct {
	Moto     *Moto
	Registry *Registry
	ECR      *ECRFront
	// Engine is nil when dockerd could not start; EngineErr says why.
	Engine    *Engine
	EngineErr error
	// cache is samship's cache directory (XDG_CACHE_HOME) while it runs against this local AWS:
	// what it learns of this registry is not kept in the user's own cache.
	cache string
}

// StartLocalAWS starts it all; with engine it also tries to start dockerd.
func StartLocalAWS(engine bool) (*LocalAWS, error) {
	l := &LocalAWS{}
	var err error
	if l.cache, err = os.MkdirTemp("", "samship-localaws-cache-"); err != nil {
		return nil, err
	}
	if l.Moto, err = StartMoto(); err != nil {
		l.Stop()
		return nil, err
	}
	if l.Registry, err = StartRegistry(); err != nil {
		l.Stop()
		return nil, err
	}
	if l.ECR, err = StartECRFront(l.Registry, l.Moto); err != nil {
		l.Stop()
		return nil, err
	}
	if err := l.Moto.Warm(context.Background()); err != nil {
		l.Stop()
		return nil, err
	}
	if engine {
		l.Engine, l.EngineErr = StartDockerd()
	}
	return l, nil
}

// Env is what a samship process needs to use it: moto's AWS settings, the registry endpoint
// and, with an engine, DOCKER_HOST.
func (l *LocalAWS) Env() map[string]string {
	env := l.Moto.Env()
	env["SAMSHIP_REGISTRY_ENDPOINT"] = l.ECR.URL
	env["XDG_CACHE_HOME"] = l.cache
	if l.Engine != nil {
		env["DOCKER_HOST"] = l.Engine.Host
	}
	return env
}

// Exports is Env as shell lines, sorted: an export per setting, an unset per empty one.
func (l *LocalAWS) Exports() []string {
	var out []string
	for k, v := range l.Env() {
		if v == "" {
			out = append(out, "unset "+k)
		} else {
			out = append(out, fmt.Sprintf("export %s=%q", k, v))
		}
	}
	sort.Strings(out)
	return out
}

// Stop stops whatever was started.
func (l *LocalAWS) Stop() {
	if l.Engine != nil {
		l.Engine.Stop()
	}
	if l.ECR != nil {
		l.ECR.Stop()
	}
	if l.Registry != nil {
		l.Registry.Stop()
	}
	if l.Moto != nil {
		l.Moto.Stop()
	}
	if l.cache != "" {
		os.RemoveAll(l.cache)
	}
}
