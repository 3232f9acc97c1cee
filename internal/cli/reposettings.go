package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/samconfig"
	"github.com/samship/samship/internal/userfile"
)

// The settings of the managed repositories (--image-repos-*): flags and samconfig keys of
// the same names, checked before anything is created.

type repoSettingFlags struct {
	scanOnPush                  bool
	tagMutability, kmsKey, rule string
	tags                        []string
}

func addRepoSettingFlags(fl *pflag.FlagSet, f *repoSettingFlags) {
	fl.BoolVar(&f.scanOnPush, "image-repos-scan-on-push", false, "managed repositories scan images on push (unless the registry's scanning rules decide; samship says which applies)")
	fl.StringVar(&f.tagMutability, "image-repos-tag-mutability", "", "tag mutability of the managed repositories: MUTABLE or IMMUTABLE")
	fl.StringVar(&f.kmsKey, "image-repos-kms-key", "", "KMS key ARN that encrypts managed repositories when they are created (ECR cannot change it later)")
	fl.StringVar(&f.rule, "image-repos-lifecycle-policy", "", "lifecycle policy of the managed repositories: file://policy.json, or the JSON itself")
	fl.StringArrayVar(&f.tags, "image-repos-tags", nil, "tags of the managed repositories, Key=Value, on top of the stack's --tags")
}

var kmsKeyARN = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$`)

// maxLifecyclePolicy is ECR's limit on a lifecycle policy's length.
const maxLifecyclePolicy = 30720

// settings checks the values and returns the settings they give.
func (f *repoSettingFlags) settings() (companion.Settings, error) {
	s := companion.Settings{ScanOnPush: f.scanOnPush, TagMutability: f.tagMutability, KMSKey: f.kmsKey}
	switch f.tagMutability {
	case "", "MUTABLE", "IMMUTABLE":
	default:
		return s, fmt.Errorf("invalid --image-repos-tag-mutability %q: it must be MUTABLE or IMMUTABLE", f.tagMutability)
	}
	if f.kmsKey != "" && !kmsKeyARN.MatchString(f.kmsKey) {
		return s, fmt.Errorf("invalid --image-repos-kms-key %q: it must be a KMS key ARN, arn:aws:kms:REGION:ACCOUNT:key/KEY-ID", f.kmsKey)
	}
	var err error
	if s.LifecyclePolicy, err = lifecyclePolicy(f.rule); err != nil {
		return s, err
	}
	tags, err := parseTags("--image-repos-tags", f.tags)
	if err != nil {
		return s, err
	}
	if len(tags) > 48 {
		return s, fmt.Errorf("invalid --image-repos-tags: %d tags, more than the 48 ECR allows besides SAM CLI's two", len(tags))
	}
	for _, t := range tags {
		switch {
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return s, fmt.Errorf("invalid --image-repos-tags %s=%s: keys starting with aws: are AWS's", t.Key, t.Value)
		case t.Key == companion.TagSource || t.Key == companion.TagCompanionStack:
			return s, fmt.Errorf("invalid --image-repos-tags %s=%s: SAM CLI's tag %s is set by samship", t.Key, t.Value, t.Key)
		case len(t.Key) > 128 || len(t.Value) > 256:
			return s, fmt.Errorf("invalid --image-repos-tags %s=%s: keys are at most 128 characters and values 256", t.Key, t.Value)
		}
		s.Tags = append(s.Tags, companion.Tag{Key: t.Key, Value: t.Value})
	}
	return s, nil
}

// lifecyclePolicy reads --image-repos-lifecycle-policy: a file:// path or the JSON itself. It
// must be a JSON object with a non-empty "rules" list, each rule with a rulePriority, a
// selection and an action, at most 30,720 characters, as ECR requires.
func lifecyclePolicy(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	text, name := []byte(v), "--image-repos-lifecycle-policy"
	if p, ok := strings.CutPrefix(v, "file://"); ok {
		b, err := userfile.Read(name+" file", p, userfile.MiB) // ECR takes at most 30,720 characters
		if err != nil {
			return "", err
		}
		text, name = b, name+" "+v
	}
	var doc struct {
		Rules []struct {
			RulePriority *int            `json:"rulePriority"`
			Selection    json.RawMessage `json:"selection"`
			Action       json.RawMessage `json:"action"`
		} `json:"rules"`
	}
	if err := json.Unmarshal(text, &doc); err != nil {
		return "", fmt.Errorf("invalid %s: not a JSON lifecycle policy: %w", name, err)
	}
	if len(doc.Rules) == 0 {
		return "", fmt.Errorf("invalid %s: it has no \"rules\"", name)
	}
	for i, r := range doc.Rules {
		if r.RulePriority == nil || len(r.Selection) == 0 || len(r.Action) == 0 {
			return "", fmt.Errorf("invalid %s: rule %d needs rulePriority, selection and action", name, i+1)
		}
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, text); err != nil {
		return "", fmt.Errorf("invalid %s: %w", name, err)
	}
	if compact.Len() > maxLifecyclePolicy {
		return "", fmt.Errorf("invalid %s: %d characters, more than the %d ECR allows", name, compact.Len(), maxLifecyclePolicy)
	}
	return compact.String(), nil
}

// repoSettingParams are the repository settings given (on the command line or in samconfig),
// under their samconfig keys, as given: what a guided deploy saves with its answers.
func (f *repoSettingFlags) params() []samconfig.Param {
	var out []samconfig.Param
	add := func(key string, v any) { out = append(out, samconfig.Param{Key: key, Value: v, Keep: true}) }
	if f.scanOnPush {
		add("image_repos_scan_on_push", true)
	}
	for _, kv := range [][2]string{{"image_repos_tag_mutability", f.tagMutability}, {"image_repos_kms_key", f.kmsKey}, {"image_repos_lifecycle_policy", f.rule}} {
		if kv[1] != "" {
			add(kv[0], kv[1])
		}
	}
	if len(f.tags) > 0 {
		add("image_repos_tags", strings.Join(f.tags, " "))
	}
	return out
}
