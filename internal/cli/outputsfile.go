package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/samship/samship/internal/deploy"
)

// checkOutputsFile refuses, before anything is deployed, an --outputs-file that cannot be
// written: a directory, or a file in a directory that does not exist.
func checkOutputsFile(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("invalid --outputs-file %s: it is a directory", path)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		return fmt.Errorf("invalid --outputs-file %s: no directory %s", path, filepath.Dir(path))
	}
	return nil
}

// writeOutputsFile writes the deployed stack's outputs to path as cdk deploy's --outputs-file
// does, {"stack": {"Key": "Value"}}: into a temporary file beside it, then renamed over it, so
// a reader never sees half a file and a failed write leaves the old one.
func writeOutputsFile(path string, res *deploy.Result) error {
	values := map[string]string{}
	for _, o := range res.Outputs {
		values[o.Key] = o.Value
	}
	b, err := json.MarshalIndent(map[string]map[string]string{res.StackName: values}, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write outputs file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // gone once renamed; left only by a failure
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write outputs file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write outputs file %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write outputs file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write outputs file %s: %w", path, err)
	}
	return nil
}
