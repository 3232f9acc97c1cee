package depinstall

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

var lambdaEnv = map[string]string{"LAMBDA_TASK_ROOT": "/var/task", "PATH": "/var/lang/bin:/usr/bin", "EMPTY": "", "SPACED": "a b"}

func TestRecognize(t *testing.T) {
	type want struct {
		Tool, PythonVersion, String string
		Target                      string
		Requirements                []string
		Opts                        []string
	}
	tests := []struct {
		name string
		cmd  Command
		want *want // nil: not ok
	}{
		{"sam init python", Command{Shell: true, Args: []string{"python3.12 -m pip install -r requirements.txt -t ."}},
			&want{Tool: "pip", PythonVersion: "3.12", String: "python3.12 -m pip install -r requirements.txt -t .", Target: ".",
				Requirements: []string{"requirements.txt"}, Opts: []string{"-r", "requirements.txt"}}},
		{"sam init python target var", Command{Shell: true, Args: []string{`pip install -r requirements.txt --target "${LAMBDA_TASK_ROOT}"`}, Env: lambdaEnv},
			&want{Tool: "pip", String: "pip install -r requirements.txt --target /var/task", Target: "/var/task",
				Requirements: []string{"requirements.txt"}, Opts: []string{"-r", "requirements.txt"}}},
		{"unquoted var", Command{Shell: true, Args: []string{`pip3.11 install -rrequirements.txt -t $LAMBDA_TASK_ROOT --no-cache-dir`}, Env: lambdaEnv},
			&want{Tool: "pip", PythonVersion: "3.11", String: "pip3.11 install -rrequirements.txt -t /var/task --no-cache-dir", Target: "/var/task",
				Requirements: []string{"requirements.txt"}, Opts: []string{"-r", "requirements.txt", "--no-cache-dir"}}},
		{"specs and options", Command{Shell: true, Args: []string{`python3 -m pip install -U -q "requests>=2,<3" 'boto3[crt]==1.34' six --index-url=https://pypi.example/simple --root-user-action ignore`}},
			&want{Tool: "pip", String: "python3 -m pip install -U -q 'requests>=2,<3' 'boto3[crt]==1.34' six --index-url=https://pypi.example/simple --root-user-action ignore",
				Opts: []string{"-U", "-q", "requests>=2,<3", "boto3[crt]==1.34", "six", "--index-url", "https://pypi.example/simple", "--root-user-action", "ignore"}}},
		{"line continuation", Command{Shell: true, Args: []string{"pip install \\\n  -r requirements.txt"}},
			&want{Tool: "pip", String: "pip install -r requirements.txt", Requirements: []string{"requirements.txt"}, Opts: []string{"-r", "requirements.txt"}}},
		{"exec form pip", Command{Args: []string{"pip", "install", "-r", "requirements.txt", "-t", "."}},
			&want{Tool: "pip", String: "pip install -r requirements.txt -t .", Target: ".", Requirements: []string{"requirements.txt"}, Opts: []string{"-r", "requirements.txt"}}},
		{"npm install", Command{Shell: true, Args: []string{"npm install"}},
			&want{Tool: "npm", String: "npm install"}},
		{"npm ci omit dev", Command{Shell: true, Args: []string{"npm ci --omit=dev"}},
			&want{Tool: "npm", String: "npm ci --omit=dev", Opts: []string{"--omit=dev"}}},
		{"npm i packages", Command{Shell: true, Args: []string{"npm i --omit dev --loglevel warn lodash@^4.17.21 @aws-sdk/client-s3"}},
			&want{Tool: "npm", String: "npm i --omit dev --loglevel warn lodash@^4.17.21 @aws-sdk/client-s3",
				Opts: []string{"--omit=dev", "--loglevel=warn", "lodash@^4.17.21", "@aws-sdk/client-s3"}}},

		{"yum", Command{Shell: true, Args: []string{"yum install -y gcc"}}, nil},
		{"editable", Command{Shell: true, Args: []string{"pip install -e ."}}, nil},
		{"and list", Command{Shell: true, Args: []string{"pip install -r a.txt && rm x"}}, nil},
		{"semicolon", Command{Shell: true, Args: []string{"pip install -r a.txt; rm x"}}, nil},
		{"pipe", Command{Shell: true, Args: []string{"pip install six | tee log"}}, nil},
		{"redirect", Command{Shell: true, Args: []string{"pip install six > log"}}, nil},
		{"command substitution", Command{Shell: true, Args: []string{"pip install $(cat pkgs)"}}, nil},
		{"backquote", Command{Shell: true, Args: []string{"pip install `cat pkgs`"}}, nil},
		{"glob", Command{Shell: true, Args: []string{"pip install *.whl"}}, nil},
		{"two lines", Command{Shell: true, Args: []string{"pip install six\nrm x"}}, nil},
		{"unset variable", Command{Shell: true, Args: []string{"pip install -t $NOPE six"}, Env: lambdaEnv}, nil},
		{"default expansion", Command{Shell: true, Args: []string{"pip install -t ${NOPE:-/var/task} six"}, Env: lambdaEnv}, nil},
		{"field split", Command{Shell: true, Args: []string{"pip install $SPACED"}, Env: lambdaEnv}, nil},
		{"comment", Command{Shell: true, Args: []string{"pip install six # why"}}, nil},
		{"user", Command{Shell: true, Args: []string{"pip install --user six"}}, nil},
		{"platform", Command{Shell: true, Args: []string{"pip install --platform any six"}}, nil},
		{"prefix", Command{Shell: true, Args: []string{"pip install --prefix /opt six"}}, nil},
		{"local path", Command{Shell: true, Args: []string{"pip install ./pkg"}}, nil},
		{"local wheel", Command{Shell: true, Args: []string{"pip install six-1.0-py3-none-any.whl"}}, nil},
		{"url spec", Command{Shell: true, Args: []string{"pip install 'six @ https://x/six.whl'"}}, nil},
		{"no arguments", Command{Shell: true, Args: []string{"pip install"}}, nil},
		{"missing value", Command{Shell: true, Args: []string{"pip install six -r"}}, nil},
		{"pip download", Command{Shell: true, Args: []string{"pip download six"}}, nil},
		{"npm run build", Command{Shell: true, Args: []string{"npm run build"}}, nil},
		{"npm ci with package", Command{Shell: true, Args: []string{"npm ci lodash"}}, nil},
		{"npm git package", Command{Shell: true, Args: []string{"npm install user/repo"}}, nil},
		{"npm global", Command{Shell: true, Args: []string{"npm install -g typescript"}}, nil},
		{"make", Command{Shell: true, Args: []string{"make"}}, nil},
		{"exec form shell", Command{Args: []string{"/bin/sh", "-c", "pip install six"}}, nil},
		{"exec form dollar", Command{Args: []string{"pip", "install", "-t", "$LAMBDA_TASK_ROOT", "six"}}, nil},
		{"exec form make", Command{Args: []string{"make"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, ok := Recognize(tt.cmd)
			var got *want
			if ok {
				got = &want{Tool: in.Tool, PythonVersion: in.PythonVersion, String: in.String(), Target: in.target,
					Requirements: in.requirements, Opts: in.opts}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Recognize(%q) = %v (-want +got):\n%s", tt.cmd.Args, ok, diff)
			}
		})
	}
}

func TestSplitWords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []word
	}{
		{"quotes", `a 'b c' "d $EMPTY e" f\ g`, []word{{text: "a"}, {text: "b c"}, {text: "d  e"}, {text: "f g"}}},
		{"empty quoted", `a "" b`, []word{{text: "a"}, {text: ""}, {text: "b"}}},
		{"empty unquoted dropped", `a $EMPTY b`, []word{{text: "a"}, {text: "b"}}},
		{"escapes in double quotes", `"\$x \"y\" \a"`, []word{{text: `$x "y" \a`}}},
		{"bracket glob", `boto3[crt] "boto3[crt]"`, []word{{text: "boto3[crt]", glob: true}, {text: "boto3[crt]"}}},
		{"braced", `${LAMBDA_TASK_ROOT}/x`, []word{{text: "/var/task/x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := splitWords(tt.in, lambdaEnv)
			if err != nil {
				t.Fatalf("splitWords(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(word{})); diff != "" {
				t.Errorf("splitWords(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}
