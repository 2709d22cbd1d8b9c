// Package errtext checks what an error's message says: symgrad's tests
// assert that an error names the op, layer or setting that went wrong,
// not only that some error came back.
package errtext

import "strings"

// Has reports whether err is an error whose message contains every one
// of parts.
func Has(err error, parts ...string) bool {
	return err != nil && len(Missing(err.Error(), parts...)) == 0
}

// Missing returns the parts that msg does not contain, in order, so a
// test can report each one.
func Missing(msg string, parts ...string) []string {
	var missing []string
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			missing = append(missing, p)
		}
	}
	return missing
}
