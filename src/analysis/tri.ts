// Three-valued logic: true, false, or undefined (unknown). One definition for every evaluator
// that reasons about conditions it can only partly decide (the endpoint's method and path, the
// outcome of a step-up check).
export type Tri = boolean | undefined;

export function not3(v: Tri): Tri {
  return v === undefined ? undefined : !v;
}

export function and3(l: Tri, r: Tri): Tri {
  if (l === false || r === false) return false;
  return l === true && r === true ? true : undefined;
}

export function or3(l: Tri, r: Tri): Tri {
  if (l === true || r === true) return true;
  return l === false && r === false ? false : undefined;
}
