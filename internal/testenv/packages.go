package testenv

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// fixedTime is the modification time of every entry of the packages made here, so that the
// same arguments give the same bytes.
var fixedTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

var wheelNameSep = regexp.MustCompile(`[-_.]+`)

// MakeWheel writes name-version-<tag>.whl into dir (a valid wheel: dist-info with METADATA,
// WHEEL with the tag, RECORD) holding files (paths relative to the install directory, e.g.
// "mypkg/__init__.py"); tag is e.g. "py3-none-any", "cp312-cp312-manylinux2014_x86_64" or
// "cp312-cp312-manylinux2014_aarch64"; requires are Requires-Dist specifications ("dep>=1").
// It returns the wheel's path. pip installs these with PIP_NO_INDEX=1 PIP_FIND_LINKS=dir, so
// tests need no package index.
func MakeWheel(dir, name, version, tag string, files map[string]string, requires ...string) (string, error) {
	if strings.Count(tag, "-") != 2 {
		return "", fmt.Errorf("make wheel %s: tag %q is not python-abi-platform", name, tag)
	}
	norm := wheelNameSep.ReplaceAllString(name, "_")
	distInfo := norm + "-" + version + ".dist-info"
	var meta strings.Builder
	fmt.Fprintf(&meta, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n", name, version)
	for _, r := range requires {
		fmt.Fprintf(&meta, "Requires-Dist: %s\n", r)
	}
	pure := strings.HasSuffix(tag, "-none-any")
	wheel := fmt.Sprintf("Wheel-Version: 1.0\nGenerator: samship-testenv\nRoot-Is-Purelib: %t\nTag: %s\n", pure, tag)

	all := make(map[string]string, len(files)+2)
	for p, c := range files {
		all[p] = c
	}
	all[distInfo+"/METADATA"] = meta.String()
	all[distInfo+"/WHEEL"] = wheel
	paths := make([]string, 0, len(all))
	for p := range all {
		paths = append(paths, p)
	}
	sort.Strings(paths)

	var record strings.Builder
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	write := func(p, content string) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p, Method: zip.Deflate, Modified: fixedTime})
		if err != nil {
			return err
		}
		_, err = w.Write([]byte(content))
		return err
	}
	for _, p := range paths {
		if err := write(p, all[p]); err != nil {
			return "", fmt.Errorf("make wheel %s: %w", name, err)
		}
		sum := sha256.Sum256([]byte(all[p]))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", p, base64.RawURLEncoding.EncodeToString(sum[:]), len(all[p]))
	}
	record.WriteString(distInfo + "/RECORD,,\n")
	if err := write(distInfo+"/RECORD", record.String()); err != nil {
		return "", fmt.Errorf("make wheel %s: %w", name, err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("make wheel %s: %w", name, err)
	}
	path := filepath.Join(dir, norm+"-"+version+"-"+tag+".whl")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("make wheel %s: %w", name, err)
	}
	return path, nil
}

// MakeNpmTarball writes name-version.tgz into dir in npm pack's format (every entry under
// package/, a package.json with name and version besides what pkg holds, e.g. "cpu", "os",
// "dependencies") holding files (paths relative to the package, e.g. "index.js"); it returns
// the tarball's path. A scoped name's tarball is named without the scope's "@" and with "-"
// for "/", as npm pack names it.
func MakeNpmTarball(dir, name, version string, pkg map[string]any, files map[string]string) (string, error) {
	manifest := map[string]any{}
	for k, v := range pkg {
		manifest[k] = v
	}
	manifest["name"] = name
	manifest["version"] = version
	pj, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return "", fmt.Errorf("make npm tarball %s: %w", name, err)
	}
	all := map[string]string{"package.json": string(pj) + "\n"}
	for p, c := range files {
		if p == "package.json" {
			return "", fmt.Errorf("make npm tarball %s: package.json is made from pkg, not files", name)
		}
		all[p] = c
	}
	paths := make([]string, 0, len(all))
	for p := range all {
		paths = append(paths, p)
	}
	sort.Strings(paths)

	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(gz)
	for _, p := range paths {
		mode := int64(0o644)
		if strings.HasPrefix(all[p], "#!") {
			mode = 0o755
		}
		h := &tar.Header{Name: "package/" + p, Mode: mode, Size: int64(len(all[p])), ModTime: fixedTime, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(h); err != nil {
			return "", fmt.Errorf("make npm tarball %s: %w", name, err)
		}
		if _, err := tw.Write([]byte(all[p])); err != nil {
			return "", fmt.Errorf("make npm tarball %s: %w", name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return "", fmt.Errorf("make npm tarball %s: %w", name, err)
	}
	if err := gz.Close(); err != nil {
		return "", fmt.Errorf("make npm tarball %s: %w", name, err)
	}
	file := strings.ReplaceAll(strings.TrimPrefix(name, "@"), "/", "-") + "-" + version + ".tgz"
	path := filepath.Join(dir, file)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("make npm tarball %s: %w", name, err)
	}
	return path, nil
}
