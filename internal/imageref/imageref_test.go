package imageref

import "testing"

func TestIsSAMECR(t *testing.T) {
	tests := map[string]struct {
		in   string
		want bool
	}{
		"ecr":                  {"000000000000.dkr.ecr.eu-west-1.amazonaws.com/my-repo", true},
		"longer path":          {"000000000000.dkr.ecr.eu-west-1.amazonaws.com/a/longer/path/my-repo", true},
		"weird path":           {"000000000000.dkr.ecr.eu-west-1.amazonaws.com/a/weird.er/pa_th/my-repo", true},
		"localhost":            {"localhost/my-repo", true},
		"localhost port":       {"localhost:8084/my-repo", true},
		"loopback":             {"127.0.0.1/my-repo", true},
		"loopback port":        {"127.0.0.1:12345/my-repo", true},
		"china":                {"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/test1", true},
		"with tag":             {"123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:v1", true},
		"host only":            {"000000000000.dkr.ecr.eu-west-1.amazonaws.com", false},
		"host slash":           {"000000000000.dkr.ecr.eu-west-1.amazonaws.com/", false},
		"underscore host":      {"_000000000000.dkr.ecr.eu-west-1.amazonaws.com/my-repo", false},
		"six digit port":       {"localhost:123456/x", false},
		"letters port":         {"localhost:abc/x", false},
		"empty port":           {"localhost:/x", false},
		"not localhost":        {"notlocalhost:1234/x", false},
		"other loopback":       {"127.0.0.2:1234/x", false},
		"no dkr.ecr":           {"123456789012.us-east-1.amazonaws.com/test1", false},
		"no region":            {"123456789012.dkr.ecr.amazonaws.com/test1", false},
		"no ecr":               {"123456789012.dkr.amazonaws.com/test1", false},
		"words":                {"some string", false},
		"uppercase repo start": {"123456789012.dkr.ecr.us-east-1.amazonaws.com/Repo", false},
		"fips":                 {"123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/repo", false},
		"public":               {"public.ecr.aws/lambda/python", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := IsSAMECR(tc.in); got != tc.want {
				t.Errorf("IsSAMECR(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestIsRepositoryURI(t *testing.T) {
	tests := map[string]struct {
		in   string
		want bool
	}{
		"plain":            {"123456789012.dkr.ecr.us-east-1.amazonaws.com/samapp7427b055/fn19d43fc4repo", true},
		"trailing garbage": {"123456789012.dkr.ecr.us-east-1.amazonaws.com/repo garbage", false},
		"with tag":         {"123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:v1", false},
		"empty":            {"", false},
		"not ecr":          {"docker.io/library/alpine", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := IsRepositoryURI(tc.in); got != tc.want {
				t.Errorf("IsRepositoryURI(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestIsRegistryReference(t *testing.T) {
	tests := map[string]struct {
		in   string
		want bool
	}{
		"ecr with tag":   {"123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:v1", true},
		"docker hub fqn": {"docker.io/library/alpine:3", true},
		"localhost port": {"localhost:5000/img:tag", true},
		"sam build name": {"hellofunction:python3.12-v1", false},
		"org/name":       {"myorg/img:tag", false},
		"bare":           {"alpine", false},
		"empty":          {"", false},
		"./ path":        {"./images/fn", false},
		"../ path":       {"../build/fn", false},
		"absolute path":  {"/tmp/images/fn", false},
		"./ host-like":   {"./x.io/fn:v1", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := IsRegistryReference(tc.in); got != tc.want {
				t.Errorf("IsRegistryReference(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestIsPath(t *testing.T) {
	tests := map[string]struct {
		in   string
		want bool
	}{
		"./":             {"./x", true},
		"../":            {"../x", true},
		"absolute":       {"/x", true},
		"dot":            {".", true},
		"windows .\\":    {`.\x`, true},
		"relative name":  {"images/fn", false},
		"registry":       {"docker.io/library/alpine:3", false},
		"hidden file":    {".x/y", false},
		"sam build name": {"hellofunction:python3.12-v1", false},
		"empty":          {"", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := IsPath(tc.in); got != tc.want {
				t.Errorf("IsPath(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"localhost:5000/a", "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:t", "a/b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if IsRepositoryURI(s) && !IsSAMECR(s) {
			t.Errorf("IsRepositoryURI(%q) but not IsSAMECR", s)
		}
		_ = IsRegistryReference(s)
	})
}

func TestSplit(t *testing.T) {
	tests := map[string]struct{ ref, repo, tag, digest string }{
		"ecr tag":        {"123456789012.dkr.ecr.us-east-1.amazonaws.com/app/fn:fn-0123456789ab-v1", "app/fn", "fn-0123456789ab-v1", ""},
		"ecr digest":     {"123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:ab", "app", "", "sha256:ab"},
		"port, no tag":   {"localhost:5000/app", "app", "", ""},
		"port and tag":   {"127.0.0.1:5000/team/app:v2", "team/app", "v2", ""},
		"no host":        {"helloworldfunction:python3.12-v1", "helloworldfunction", "python3.12-v1", ""},
		"org, no host":   {"myorg/worker:v2", "myorg/worker", "v2", ""},
		"tag and digest": {"r.example/app:v1@sha256:cd", "app", "v1", "sha256:cd"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			repo, tag, digest := Split(tc.ref)
			if repo != tc.repo || tag != tc.tag || digest != tc.digest {
				t.Errorf("Split(%q) = %q, %q, %q, want %q, %q, %q", tc.ref, repo, tag, digest, tc.repo, tc.tag, tc.digest)
			}
		})
	}
}

func TestIsECRHost(t *testing.T) {
	for host, want := range map[string]bool{
		"123456789012.dkr.ecr.us-east-1.amazonaws.com":          true,
		"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com": true,
		"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn":      true,
		"12345.dkr.ecr.us-east-1.amazonaws.com":                 false,
		"public.ecr.aws":                                        false,
		"localhost:5000":                                        false,
	} {
		if got := IsECRHost(host); got != want {
			t.Errorf("IsECRHost(%q) = %v, want %v", host, got, want)
		}
	}
}
