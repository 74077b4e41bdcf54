// Names that a plain JavaScript object answers to through its prototype: any lookup of user input in a plain object
// finds them. Every place that reads a scenario name from outside is tested with each of them.
export const BUILTIN_NAMES = [
  "constructor",
  "__proto__",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__lookupSetter__",
] as const;
