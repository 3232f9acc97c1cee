package ui

import (
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/guided"
)

// The lines `deploy --guided` prints around its questions, in SAM CLI's words.

// GuidedStart heads the questions: the config file looked for, found or not.
func (r *Reporter) GuidedStart(configFile string, found bool) {
	r.errf("\n%s\n", r.Paint.Yellow("Configuring SAM deploy\n======================"))
	state := "Not found"
	if found {
		state = "Found"
	}
	r.errf("\n\tLooking for config file [%s] :  %s\n", configFile, state)
	if found {
		r.errf("\tReading default arguments  :  Success\n")
	}
	r.errf("\n%s\n", r.Paint.Yellow("\tSetting default arguments for 'sam deploy'\n\t========================================="))
}

// The hints SAM CLI prints before some questions.
var hints = map[guided.Hint]string{
	guided.HintConfirm:  "#Shows you resources changes to be deployed and require a 'Y' to initiate deploy",
	guided.HintIAM:      "#SAM needs permission to be able to create roles to connect to the resources in your template",
	guided.HintRollback: "#Preserves the state of previously provisioned resources when an operation fails",
}

const hintManaged = " #Managed repositories will be deleted when their functions are removed from the template and deployed"

// Hint prints one of SAM CLI's hints before a question.
func (r *Reporter) Hint(h guided.Hint) { r.Note(hints[h]) }

// LookingForResources heads the look-ups that follow the first questions.
func (r *Reporter) LookingForResources() {
	r.errf("\n\tLooking for resources needed for deployment:\n")
}

// ImageReposNotFound says no function has a repository yet.
func (r *Reporter) ImageReposNotFound() {
	r.errf("\t Image repositories: Not found.\n")
	r.Note(hintManaged)
}

// ImageReposFound lists the functions' repositories found (of total image functions); some
// functions are without one.
func (r *Reporter) ImageReposFound(found []deploy.KV, total int, someWithout bool) {
	r.errf("\t Image repositories: Found (%d of %d) #Different image repositories can be set in samconfig.toml\n", len(found), total)
	for _, kv := range found {
		r.errf("\t %s: %s\n", kv.Key, kv.Value)
	}
	if someWithout {
		r.Note(hintManaged)
	}
}

// Unreferenced lists the repositories no function uses any more, with their image counts.
func (r *Reporter) Unreferenced(repos []guided.RepoImages) {
	r.errf("\t Checking for unreferenced ECR repositories to clean-up: %d found\n", len(repos))
	for _, x := range repos {
		r.errf("\t  %s (%d %s)\n", x.URI, x.Images, Plural(x.Images, "image", "images"))
	}
}

// DeploymentAborted says the unreferenced repositories were kept, so nothing is deployed.
func (r *Reporter) DeploymentAborted() {
	r.errf("\t Deployment aborted!\n")
	r.errf("\t #The deployment was aborted to prevent unreferenced managed ECR repositories from being deleted.\n\t #You may remove repositories from the AWS SAM CLI managed stack to retain them and resolve this unreferenced check.\n")
}

// Saved says the answers were saved to the config file.
func (r *Reporter) Saved() {
	r.errf("\n\tSaved arguments to config file\n" +
		"\tRunning 'sam deploy' for future deployments will use the parameters saved above.\n" +
		"\tThe above parameters can be changed by modifying samconfig.toml\n" +
		"\tLearn more about samconfig.toml syntax at \n" +
		"\thttps://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-config.html\n\n")
}
