//! Positions for failing expressions: which fields of the object a false (or true, under
//! a negation) expression is about.
