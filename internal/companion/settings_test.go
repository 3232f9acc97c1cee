package companion

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/testenv/golden"
)

var allSettings = Settings{ScanOnPush: true, TagMutability: "IMMUTABLE", KMSKey: "arn:aws:kms:us-east-1:123456789012:key/k1",
	LifecyclePolicy: `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`,
	Tags:            []Tag{{"team", "web"}, {"cost-center", "42"}}}

// TestTemplateWithSettings: every repository carries the settings; a new one is encrypted
// with the key, an existing one as it was created.
func TestTemplateWithSettings(t *testing.T) {
	rs := repos("sam-app", "HelloWorldFunction", "Child/ImageFn")
	rs[0].Encryption = allSettings.encryption()
	got, err := Template(StackName("sam-app"), rs, allSettings)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/sam-app-settings.json", got)
}

// TestDeployedSettings reads back what Template writes, so that a rewrite keeps it.
func TestDeployedSettings(t *testing.T) {
	for name, s := range map[string]Settings{"none": {}, "all": allSettings} {
		t.Run(name, func(t *testing.T) {
			rs := repos("app", "A", "B")
			for i := range rs {
				rs[i].Encryption = s.encryption()
			}
			body, err := Template("c", rs, s)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DeployedSettings(string(body))
			if err != nil {
				t.Fatal(err)
			}
			want := s
			want.KMSKey = "" // encryption is each repository's own, read by ParseDeployed
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("DeployedSettings() mismatch (-want +got):\n%s", diff)
			}
			deployed, _, err := ParseDeployed(string(body))
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range deployed {
				if r.Encryption != s.encryption() {
					t.Errorf("ParseDeployed: %s encrypted %v, want %v", r.Name, r.Encryption, s.encryption())
				}
			}
		})
	}
}

// TestPlanEncryption: a KMS key encrypts the repositories created from now on; one that
// exists keeps its encryption, whether the option is left out or repeats it; a different key
// for it is refused before anything changes.
func TestPlanEncryption(t *testing.T) {
	key1, key2 := "arn:aws:kms:us-east-1:123456789012:key/k1", "arn:aws:kms:us-east-1:123456789012:key/k2"
	deployed := func(enc Encryption) string {
		rs := repos("app", "A")
		rs[0].Encryption = enc
		b, _ := Template(StackName("app"), rs, Settings{})
		return string(b)
	}
	ok := &cfn.Stack{Name: StackName("app"), ID: "id", Status: "UPDATE_COMPLETE"}
	tests := map[string]struct {
		has     Encryption
		key     string
		wantA   Encryption // the kept repository's
		wantB   Encryption // the new repository's
		refused bool
	}{
		"no key":                      {has: Encryption{}, key: "", wantA: Encryption{}, wantB: Encryption{}},
		"key for new repositories":    {has: Encryption{}, key: key1, refused: true},
		"key kept, option left out":   {has: Encryption{KMS: true, Key: key1}, key: "", wantA: Encryption{KMS: true, Key: key1}, wantB: Encryption{}},
		"key kept, option repeats it": {has: Encryption{KMS: true, Key: key1}, key: key1, wantA: Encryption{KMS: true, Key: key1}, wantB: Encryption{KMS: true, Key: key1}},
		"another key":                 {has: Encryption{KMS: true, Key: key1}, key: key2, refused: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			pl := &Planner{Stacks: fakeStacks{ok, deployed(tc.has)}, Images: imageCounts(nil), Report: quiet{}, Settings: Settings{KMSKey: tc.key}}
			p, err := pl.Plan(context.Background(), "app", []string{"A", "B"})
			var change *EncryptionChangeError
			if tc.refused {
				if !errors.As(err, &change) || !strings.Contains(err.Error(), NewRepo("app", "A").Name) {
					t.Fatalf("Plan() = %v, want the encryption change refused, naming the repository", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Keep[0].Encryption; got != tc.wantA {
				t.Errorf("kept repository encrypted %v, want %v", got, tc.wantA)
			}
			if got := p.Create[0].Encryption; got != tc.wantB {
				t.Errorf("new repository encrypted %v, want %v", got, tc.wantB)
			}
			if !strings.Contains(string(p.Final), `"RepositoryName":"`+NewRepo("app", "A").Name+`"`) {
				t.Fatalf("final template lacks the kept repository:\n%s", p.Final)
			}
		})
	}
}
