package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRepoSettings: each --image-repos-* value is checked before anything is created, with
// one line naming the option and what is wrong.
func TestRepoSettings(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return "file://" + p
	}
	good := write("good.json", `{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 3}, "action": {"type": "expire"}}]}`)
	tests := map[string]struct {
		f       repoSettingFlags
		wantErr string
	}{
		"none":                  {},
		"all":                   {f: repoSettingFlags{scanOnPush: true, tagMutability: "IMMUTABLE", kmsKey: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab", rule: good, tags: []string{"team=web owner=me"}}},
		"inline policy":         {f: repoSettingFlags{rule: `{"rules":[{"rulePriority":1,"selection":{},"action":{}}]}`}},
		"lower-case mutability": {f: repoSettingFlags{tagMutability: "immutable"}, wantErr: `invalid --image-repos-tag-mutability "immutable": it must be MUTABLE or IMMUTABLE`},
		"key id, not an ARN":    {f: repoSettingFlags{kmsKey: "1234abcd"}, wantErr: `invalid --image-repos-kms-key "1234abcd": it must be a KMS key ARN`},
		"missing policy file":   {f: repoSettingFlags{rule: "file://" + filepath.Join(dir, "none.json")}, wantErr: "read --image-repos-lifecycle-policy file " + filepath.Join(dir, "none.json") + ": no such file or directory"},
		"policy from a device":  {f: repoSettingFlags{rule: "file:///dev/zero"}, wantErr: "read --image-repos-lifecycle-policy file /dev/zero: not a regular file (a character device)"},
		"policy not JSON":       {f: repoSettingFlags{rule: write("yaml.json", "rules: []")}, wantErr: "not a JSON lifecycle policy"},
		"policy without rules":  {f: repoSettingFlags{rule: `{"rules": []}`}, wantErr: `invalid --image-repos-lifecycle-policy: it has no "rules"`},
		"policy too long":       {f: repoSettingFlags{rule: `{"rules":[{"rulePriority":1,"selection":{},"action":{},"description":"` + strings.Repeat("x", 30720) + `"}]}`}, wantErr: "more than the 30720 ECR allows"},
		"aws tag":               {f: repoSettingFlags{tags: []string{"aws:x=1"}}, wantErr: "keys starting with aws: are AWS's"},
		"SAM's tag":             {f: repoSettingFlags{tags: []string{"ManagedStackSource=me"}}, wantErr: "SAM CLI's tag ManagedStackSource is set by samship"},
		"tag without value":     {f: repoSettingFlags{tags: []string{"team"}}, wantErr: `invalid --image-repos-tags "team": it must look`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, err := tc.f.settings()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("settings() = %v", err)
				}
				if tc.f.rule != "" && (s.LifecyclePolicy == "" || strings.ContainsAny(s.LifecyclePolicy, "\n ")) {
					t.Errorf("lifecycle policy %q, want it compact", s.LifecyclePolicy)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "\n") {
				t.Errorf("settings() = %v, want one line containing %q", err, tc.wantErr)
			}
		})
	}
}
