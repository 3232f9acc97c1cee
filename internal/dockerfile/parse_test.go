package dockerfile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ptr(s string) *string { return &s }

func at(line int) At { return At{Path: "Dockerfile", LineNo: line} }

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *File
	}{
		{
			name: "SAM python template",
			in: `FROM public.ecr.aws/lambda/python:3.12
COPY requirements.txt ./
RUN python3.12 -m pip install -r requirements.txt -t .
COPY app.py ./
# Command can be overwritten by providing a different command in the template directly.
CMD ["app.lambda_handler"]
`,
			want: &File{Path: "Dockerfile", Escape: '\\', Stages: []Stage{{
				From: "public.ecr.aws/lambda/python:3.12", Line: 1,
				Instructions: []Instruction{
					&Copy{At: at(2), Sources: []string{"requirements.txt"}, Dest: "./"},
					&Run{At: at(3), Args: []string{"python3.12 -m pip install -r requirements.txt -t ."}, Shell: true,
						Original: "RUN python3.12 -m pip install -r requirements.txt -t ."},
					&Copy{At: at(4), Sources: []string{"app.py"}, Dest: "./"},
					&Cmd{At: at(6), Args: []string{"app.lambda_handler"}},
				},
			}}},
		},
		{
			name: "SAM nodejs template",
			in: `FROM public.ecr.aws/lambda/nodejs:22
COPY app.mjs package*.json ./
RUN npm install
CMD ["app.lambdaHandler"]
`,
			want: &File{Path: "Dockerfile", Escape: '\\', Stages: []Stage{{
				From: "public.ecr.aws/lambda/nodejs:22", Line: 1,
				Instructions: []Instruction{
					&Copy{At: at(2), Sources: []string{"app.mjs", "package*.json"}, Dest: "./"},
					&Run{At: at(3), Args: []string{"npm install"}, Shell: true, Original: "RUN npm install"},
					&Cmd{At: at(4), Args: []string{"app.lambdaHandler"}},
				},
			}}},
		},
		{
			name: "every supported instruction, both forms",
			in: `from alpine
env A 1 2
ENV B=x C="y z"
LABEL a=b c="d e"
MAINTAINER Jane "J" Doe
ARG X Y=2
WORKDIR /app
USER 1000:1000
EXPOSE 8080 53/udp
SHELL ["/bin/bash", "-c"]
CMD echo hi
ENTRYPOINT ["/bin/app", "--flag"]
ENTRYPOINT /bin/app run
RUN ["echo", "a b"]
COPY ["a b", "dest/"]
COPY --link --chown=1:2 --chmod=0755 --from=build x /y
ADD --link=false local.txt /z/
`,
			want: &File{Path: "Dockerfile", Escape: '\\', Stages: []Stage{{
				From: "alpine", Line: 1,
				Instructions: []Instruction{
					&Env{At: at(2), Pairs: []KeyValue{{"A", "1 2"}}},
					&Env{At: at(3), Pairs: []KeyValue{{"B", "x"}, {"C", `"y z"`}}},
					&Label{At: at(4), Pairs: []KeyValue{{"a", "b"}, {"c", `"d e"`}}},
					&Label{At: at(5), Pairs: []KeyValue{{"maintainer", `'Jane "J" Doe'`}}},
					&Arg{At: at(6), Name: "X"},
					&Arg{At: at(6), Name: "Y", Default: ptr("2")},
					&Workdir{At: at(7), Path: "/app"},
					&User{At: at(8), User: "1000:1000"},
					&Expose{At: at(9), Ports: []string{"8080", "53/udp"}},
					&Shell{At: at(10), Args: []string{"/bin/bash", "-c"}},
					&Cmd{At: at(11), Args: []string{"echo hi"}, Shell: true},
					&Entrypoint{At: at(12), Args: []string{"/bin/app", "--flag"}},
					&Entrypoint{At: at(13), Args: []string{"/bin/app run"}, Shell: true},
					&Run{At: at(14), Args: []string{"echo", "a b"}, Original: `RUN ["echo", "a b"]`},
					&Copy{At: at(15), Sources: []string{"a b"}, Dest: "dest/"},
					&Copy{At: at(16), Sources: []string{"x"}, Dest: "/y", From: "build", Chown: "1:2", Chmod: "0755"},
					&Copy{At: at(17), Sources: []string{"local.txt"}, Dest: "/z/", Add: true},
				},
			}}},
		},
		{
			name: "continuations, comments and blank lines",
			in: `# a comment

FROM alpine
RUN apk add \
    # comment inside
    curl \
    git
COPY a \
  b /c/
`,
			want: &File{Path: "Dockerfile", Escape: '\\', Stages: []Stage{{
				From: "alpine", Line: 3,
				Instructions: []Instruction{
					&Run{At: at(4), Args: []string{"apk add     curl     git"}, Shell: true, Original: "RUN apk add     curl     git"},
					&Copy{At: at(8), Sources: []string{"a", "b"}, Dest: "/c/"},
				},
			}}},
		},
		{
			name: "escape directive",
			in:   "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\nCOPY a\\b c:\\dest\\\n",
			want: &File{Path: "Dockerfile", Escape: '`', Stages: []Stage{{
				From: "mcr.microsoft.com/windows", Line: 2,
				Instructions: []Instruction{
					&Run{At: at(3), Args: []string{`dir   c:\`}, Shell: true, Original: `RUN dir   c:\`},
					&Copy{At: at(5), Sources: []string{`a\b`}, Dest: `c:\dest\`},
				},
			}}},
		},
		{
			name: "meta args and multi-stage with AS and --from by name and index",
			in: `ARG BASE=alpine
ARG TAG
FROM --platform=$BUILDPLATFORM golang:1.26 AS Build
RUN go build -o /out/app .
FROM ${BASE}:${TAG:-3.20} as final
COPY --from=build /out/app /app
COPY --from=0 /etc/passwd /etc/passwd
`,
			want: &File{Path: "Dockerfile", Escape: '\\',
				MetaArgs: []Arg{{At: at(1), Name: "BASE", Default: ptr("alpine")}, {At: at(2), Name: "TAG"}},
				Stages: []Stage{
					{Index: 0, Name: "build", From: "golang:1.26", Platform: "$BUILDPLATFORM", Line: 3, Instructions: []Instruction{
						&Run{At: at(4), Args: []string{"go build -o /out/app ."}, Shell: true, Original: "RUN go build -o /out/app ."},
					}},
					{Index: 1, Name: "final", From: "${BASE}:${TAG:-3.20}", Line: 5, Instructions: []Instruction{
						&Copy{At: at(6), Sources: []string{"/out/app"}, Dest: "/app", From: "build"},
						&Copy{At: at(7), Sources: []string{"/etc/passwd"}, Dest: "/etc/passwd", From: "0"},
					}},
				}},
		},
		{
			name: "forms that need an engine",
			in: `FROM alpine
RUN --mount=type=cache,target=/root/.cache pip install x
RUN --network=none true
ADD https://example.com/a.tgz /a
ADD git@github.com:moby/buildkit.git /src
ADD --checksum=sha256:abc https://example.com/b /b
COPY --parents a/b /c/
COPY --exclude=*.md . /d/
HEALTHCHECK CMD curl -f http://localhost/
VOLUME /data
STOPSIGNAL SIGTERM
ONBUILD RUN echo
RUN <<EOF
echo hi
EOF
COPY <<EOF /e
x
EOF
`,
			want: &File{Path: "Dockerfile", Escape: '\\', Stages: []Stage{{
				From: "alpine", Line: 1,
				Instructions: []Instruction{
					&Unsupported{At: at(2), Name: "RUN", Reason: "RUN --mount"},
					&Unsupported{At: at(3), Name: "RUN", Reason: "RUN --network"},
					&Unsupported{At: at(4), Name: "ADD", Reason: "ADD of a URL"},
					&Unsupported{At: at(5), Name: "ADD", Reason: "ADD of a git repository"},
					&Unsupported{At: at(6), Name: "ADD", Reason: "ADD --checksum"},
					&Unsupported{At: at(7), Name: "COPY", Reason: "COPY --parents"},
					&Unsupported{At: at(8), Name: "COPY", Reason: "COPY --exclude"},
					&Unsupported{At: at(9), Name: "HEALTHCHECK", Reason: "HEALTHCHECK"},
					&Unsupported{At: at(10), Name: "VOLUME", Reason: "VOLUME"},
					&Unsupported{At: at(11), Name: "STOPSIGNAL", Reason: "STOPSIGNAL"},
					&Unsupported{At: at(12), Name: "ONBUILD", Reason: "ONBUILD"},
					&Unsupported{At: at(13), Name: "RUN", Reason: "heredoc"},
					&Unsupported{At: at(16), Name: "COPY", Reason: "heredoc"},
				},
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("Dockerfile", strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"unknown instruction", "FROM a\nRUN x\nFORM b\n", "Dockerfile:3: unknown instruction: FORM"},
		{"no FROM", "ARG A=1\n", "Dockerfile: no FROM instruction"},
		{"empty file", "# only a comment\n", "Dockerfile:1: file with no instructions"},
		{"instruction before FROM", "ARG A\nRUN x\nFROM a\n", "Dockerfile:2: RUN before the first FROM"},
		{"COPY with one argument", "FROM a\nCOPY x\n", "Dockerfile:2: COPY requires at least two arguments, sources and a destination"},
		{"ADD with one argument", "FROM a\nADD x\n", "Dockerfile:2: ADD requires at least two arguments, sources and a destination"},
		{"FROM with two arguments", "FROM a b\n", "Dockerfile:1: FROM requires either one or three arguments (image [AS name])"},
		{"bad stage name", "FROM a AS 1st\n", `Dockerfile:1: invalid stage name "1st": it must start with a letter and hold only letters, digits, '-', '_' and '.'`},
		{"duplicate stage name", "FROM a AS x\nFROM b AS X\n", `Dockerfile:2: duplicate stage name "x" (first at line 1)`},
		{"unknown flag", "FROM a\nCOPY --frm=x a b\n", "Dockerfile:2: unknown flag for COPY: --frm"},
		{"flag without value", "FROM a\nCOPY --from a b\n", "Dockerfile:2: missing a value on COPY flag --from"},
		{"duplicate flag", "FROM a\nCOPY --chown=1 --chown=2 a b\n", "Dockerfile:2: duplicate flag for COPY: --chown"},
		{"bad boolean", "FROM a\nCOPY --link=maybe a b\n", `Dockerfile:2: COPY flag --link wants true or false, not "maybe"`},
		{"ENV without value", "FROM a\nENV A\n", "Dockerfile:2: ENV must have two arguments"},
		{"LABEL without =", "FROM a\nLABEL a=b c\n", `Dockerfile:2: Syntax error - can't find = in "c". Must be of the form: name=value`},
		{"WORKDIR empty", "FROM a\nWORKDIR\n", "Dockerfile:2: WORKDIR requires exactly one argument"},
		{"SHELL not JSON", "FROM a\nSHELL /bin/sh -c\n", `Dockerfile:2: SHELL requires the JSON form, e.g. SHELL ["/bin/sh", "-c"]`},
		{"CMD JSON not strings", "FROM a\nCMD [\"a\", 1]\n", "Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only"},
		{"ARG without name", "FROM a\nARG =x\n", `Dockerfile:2: ARG "=x" has no name`},
		{"RUN without command", "FROM a\nRUN\n", "Dockerfile:2: RUN requires at least one argument"},
		{"continuation into an error", "FROM a\nRUN x \\\n  y\nBOGUS\n", "Dockerfile:4: unknown instruction: BOGUS"},
		{"unterminated heredoc", "FROM a\nRUN <<EOF\necho\n", "Dockerfile:2: unterminated heredoc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("Dockerfile", strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("Parse(%q) = nil error, want %q", tt.in, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Parse(%q) error = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
