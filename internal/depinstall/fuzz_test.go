package depinstall

import "testing"

// FuzzRecognize: any RUN text is recognised or not, never a panic; what is recognised is pip
// or npm and says itself in one line.
func FuzzRecognize(f *testing.F) {
	for _, s := range []string{
		"python3.12 -m pip install -r requirements.txt -t .",
		`pip install -r requirements.txt --target "${LAMBDA_TASK_ROOT}"`,
		"npm ci --omit=dev",
		"yum install -y gcc && make",
		`pip install 'boto3[crt]>=1,<2' $(echo x) "a b" \` + "\n c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		in, ok := Recognize(Command{Args: []string{text}, Shell: true, Env: map[string]string{"LAMBDA_TASK_ROOT": "/var/task"}})
		if !ok {
			return
		}
		if in.Tool != "pip" && in.Tool != "npm" {
			t.Fatalf("Recognize(%q) = tool %q", text, in.Tool)
		}
		_ = in.String()
	})
}
