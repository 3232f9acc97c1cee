package testenv

import (
	"sync"
	"testing"
)

var (
	shared     *Moto
	sharedErr  error
	sharedOnce sync.Once

	sharedReg     *Registry
	sharedRegErr  error
	sharedRegOnce sync.Once

	sharedFront     *ECRFront
	sharedFrontErr  error
	sharedFrontOnce sync.Once
)

// Needs skips t under -short: it needs what names, which this package starts (the local
// AWS, a registry, an engine or a terminal). `go test -short ./...` runs the tests that need
// nothing started.
func Needs(t testing.TB, what string) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs " + what + "; runs without -short")
	}
}

// SharedECR returns the endpoint of one registry per test binary that is one store with the
// shared moto's ECR (see ECRFront): what to give samship as SAMSHIP_REGISTRY_ENDPOINT.
func SharedECR(t testing.TB) string {
	m, reg := SharedMoto(t), SharedRegistry(t)
	sharedFrontOnce.Do(func() { sharedFront, sharedFrontErr = StartECRFront(reg, m) })
	if sharedFrontErr != nil {
		t.Helper()
		t.Fatalf("local ECR registry: %v", sharedFrontErr)
	}
	return sharedFront.URL
}

// SharedRegistry returns one docker-registry per test binary, started on first use; stop it
// from TestMain with StopShared.
func SharedRegistry(t testing.TB) *Registry {
	sharedRegOnce.Do(func() { sharedReg, sharedRegErr = StartRegistry() })
	if sharedRegErr != nil {
		t.Helper()
		t.Fatalf("local registry: %v", sharedRegErr)
	}
	return sharedReg
}

// SharedMoto returns one moto_server per test binary, started on first use (t may be nil once it runs); the test fails
// with a clear message when moto_server cannot be started. Stop it from TestMain with
// StopShared.
func SharedMoto(t testing.TB) *Moto {
	sharedOnce.Do(func() { shared, sharedErr = StartMoto() })
	if sharedErr != nil {
		if t == nil {
			panic("local AWS emulator: " + sharedErr.Error())
		}
		t.Helper()
		t.Fatalf("local AWS emulator: %v", sharedErr)
	}
	return shared
}

// StopShared stops the shared moto_server and registry if they were started.
func StopShared() {
	if sharedFront != nil {
		sharedFront.Stop()
	}
	if shared != nil {
		shared.Stop()
	}
	if sharedReg != nil {
		sharedReg.Stop()
	}
}

// SetAWSEnv points this test's process environment at m (t.Setenv, so tests using it
// cannot run in parallel).
func SetAWSEnv(t *testing.T, m *Moto) {
	for k, v := range m.Env() {
		t.Setenv(k, v)
	}
}
