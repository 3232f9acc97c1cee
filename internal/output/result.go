package output

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/prompt"
)

// resultRecord is the last record of a run: its status, lowercase, and for a failure the
// error, as SAM CLI's contract has it; a deploy's says what it did.
type resultRecord struct {
	Type         string        `json:"type"`
	Status       string        `json:"status"`
	StackName    string        `json:"stack_name,omitempty"`
	Region       string        `json:"region,omitempty"`
	ChangesetID  string        `json:"changeset_id,omitempty"`
	StackStatus  string        `json:"stack_status,omitempty"`
	NoChanges    bool          `json:"no_changes,omitempty"`
	Executed     *bool         `json:"executed,omitempty"`
	Images       []imageRecord `json:"images,omitempty"`
	Repositories *reposRecord  `json:"repositories,omitempty"`
	// A package's template: the file written, or the template itself when none was named.
	TemplateFile string       `json:"template_file,omitempty"`
	Template     string       `json:"template,omitempty"`
	Error        *errorRecord `json:"error,omitempty"`
}

type imageRecord struct {
	Function string `json:"function"`
	Image    string `json:"image"`
	Ref      string `json:"ref"`
	Digest   string `json:"digest"`
	Pushed   bool   `json:"pushed"`
}

type reposRecord struct {
	CompanionStack string   `json:"companion_stack"`
	Created        []string `json:"created"`
	Kept           []string `json:"kept"`
	Removed        []string `json:"removed"`
}

type errorRecord struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// DeployResult writes the result record of a deploy (or a package): success when err is nil,
// else failure with the error's type and message (the one-line message the error stream
// shows).
func (j *JSON) DeployResult(res *deploy.Result, err error, message string) {
	j.record(deployRecord(res, err, message))
}

// PackageResult writes the result record of a package: the template written to file, or
// the template itself when no file was named.
func (j *JSON) PackageResult(res *deploy.Result, file string, template []byte, err error, message string) {
	rec := deployRecord(res, err, message)
	if err == nil {
		rec.TemplateFile = file
		if file == "" {
			rec.Template = string(template)
		}
	}
	j.record(rec)
}

func deployRecord(res *deploy.Result, err error, message string) resultRecord {
	rec := resultRecord{Type: "result", Status: "success"}
	if res != nil {
		rec.StackName, rec.Region, rec.StackStatus, rec.NoChanges = res.StackName, res.Region, res.StackStatus, res.NoChanges
		if res.ChangeSet != nil {
			rec.ChangesetID = res.ChangeSet.ARN
			rec.Executed = &res.Executed
		}
		for _, im := range res.Images {
			rec.Images = append(rec.Images, imageRecord{Function: im.Function, Image: im.Source, Ref: im.Ref, Digest: im.Digest, Pushed: im.Pushed})
		}
		if res.Companion != "" {
			rec.Repositories = &reposRecord{CompanionStack: res.Companion, Created: list(res.Created), Kept: list(res.Kept), Removed: list(res.Removed)}
		}
	}
	if err != nil {
		rec.Status, rec.Error = "failure", &errorRecord{Type: ErrorType(err), Message: message}
	}
	return rec
}

// Result writes the result record of a run whose result is res (a flow's Result, with its
// JSON names): its fields after type and status, then the error when err is not nil.
func (j *JSON) Result(res any, err error, message string) {
	head := resultRecord{Type: "result", Status: "success"}
	if err != nil {
		head.Status = "failure"
	}
	b, _ := json.Marshal(head)
	if body, merr := json.Marshal(res); merr == nil && len(body) > 2 && body[0] == '{' {
		b = append(append(b[:len(b)-1], ','), body[1:]...)
	}
	if err != nil {
		e, _ := json.Marshal(errorRecord{Type: ErrorType(err), Message: message})
		b = append(append(append(b[:len(b)-1], `,"error":`...), e...), '}')
	}
	j.write(b)
}

// Failure writes the result record of a run that failed before it did anything.
func (j *JSON) Failure(err error, message string) {
	j.record(resultRecord{Type: "result", Status: "failure", Error: &errorRecord{Type: ErrorType(err), Message: message}})
}

func list(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ErrorType names err's kind in a failure record: SAM CLI's exception name where SAM CLI
// has the same failure, else samship's.
func ErrorType(err error) string {
	var (
		usage   *deploy.UsageError
		empty   *cfn.ChangeSetEmptyError
		csFail  *cfn.ChangeSetFailedError
		csGone  *cfn.ChangeSetGoneError
		failed  *cfn.StackFailedError
		missing *cfn.StackNotFoundError
	)
	switch {
	case errors.As(err, &usage):
		return "UsageError"
	case errors.Is(err, context.Canceled), errors.Is(err, prompt.ErrInterrupted):
		return "InterruptedError"
	case errors.As(err, &empty):
		return "ChangeEmptyError"
	case errors.As(err, &csFail), errors.As(err, &csGone):
		return "ChangeSetError"
	case errors.As(err, &failed):
		return "DeployFailedError"
	case errors.As(err, &missing):
		return "StackNotFoundError"
	}
	return "UserException"
}
