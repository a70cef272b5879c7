package shape

// Member is one object member.
type Member struct {
	// Name is the decoded key.
	Name string
	// Key is the key's JSON string literal exactly as sent (quotes included,
	// compact), or nil when the member was synthesised; encoders then quote
	// Name.
	Key []byte
	// Value is compact, valid JSON text. It is never empty in an Object this
	// package produces; encoders write null for an empty Value.
	Value []byte
}

// Object is an ordered JSON object; the zero value is {}. Objects produced by
// this package never hold two members with the same Name.
type Object struct {
	// Members are the object's members in output order.
	Members []Member
}

// Get returns the value of the first member called name, and whether there is
// one.
func (o Object) Get(name string) ([]byte, bool) {
	for i := range o.Members {
		if o.Members[i].Name == name {
			return o.Members[i].Value, true
		}
	}
	return nil, false
}
