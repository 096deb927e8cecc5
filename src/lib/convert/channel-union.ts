/**
 * Group inference: which channel axes of a converted model must keep the same size. Every conv and dense
 * output starts a new atomic group; an add unifies its inputs' groups (union–find); a concatenation makes
 * a composite of its inputs' groups (parts in order); everything else (batch norm, depth-wise convs,
 * activations, pooling, padding) carries its input's group. An add of a concatenation with a conv's output
 * makes that conv write the composite, part by part.
 */

/** A channel axis: an atomic group (by index) or the concatenation of several. */
export type ChannelTerm = { atom: number } | { composite: string; parts: ChannelTerm[] };

/** An axis after inference: its atomic groups (roots) in order, and the composite's name when several. */
export interface ResolvedTerm {
  atoms: number[];
  composite?: string;
}

export class ChannelUnion {
  private readonly parent: number[] = [];
  private readonly sizes: number[] = [];
  readonly names: string[] = [];
  /** An atom's root bound to a composite (an add joined it to a concatenation). */
  private readonly bound = new Map<number, ChannelTerm>();

  /** A new atomic group of `size` channels, named after what produced it. */
  atom(name: string, size: number): ChannelTerm {
    this.parent.push(this.parent.length);
    this.sizes.push(size);
    this.names.push(name);
    return { atom: this.parent.length - 1 };
  }

  composite(name: string, parts: ChannelTerm[]): ChannelTerm {
    return { composite: name, parts };
  }

  find(a: number): number {
    let r = a;
    while (this.parent[r] !== r) r = this.parent[r] as number;
    for (let x = a; this.parent[x] !== r;) {
      const next = this.parent[x] as number;
      this.parent[x] = r;
      x = next;
    }
    return r;
  }

  /** Channel count of an axis. */
  size(t: ChannelTerm): number {
    const r = this.resolve(t);
    return r.atoms.reduce((n, a) => n + (this.sizes[a] as number), 0);
  }

  private normalise(t: ChannelTerm): ChannelTerm {
    if ("atom" in t) {
      const root = this.find(t.atom);
      const b = this.bound.get(root);
      return b ? this.normalise(b) : { atom: root };
    }
    return t;
  }

  resolve(t: ChannelTerm): ResolvedTerm {
    const n = this.normalise(t);
    if ("atom" in n) return { atoms: [n.atom] };
    return { atoms: n.parts.flatMap((p) => this.resolve(p).atoms), composite: n.composite };
  }

  /** Make two axes one; `where` names the add in errors. */
  unify(a: ChannelTerm, b: ChannelTerm, where: string): void {
    const x = this.normalise(a);
    const y = this.normalise(b);
    const [sx, sy] = [this.size(x), this.size(y)];
    if (sx !== sy) throw new Error(`${where} adds ${sx} channels to ${sy}`);
    if ("atom" in x && "atom" in y) {
      if (x.atom !== y.atom) this.parent[Math.max(x.atom, y.atom)] = Math.min(x.atom, y.atom);
      return;
    }
    if ("atom" in x) {
      this.bound.set(x.atom, y);
      return;
    }
    if ("atom" in y) {
      this.bound.set(y.atom, x);
      return;
    }
    const px = this.resolve(x).atoms;
    const py = this.resolve(y).atoms;
    if (px.length !== py.length || px.some((p, i) => this.sizes[p] !== this.sizes[py[i] as number]))
      throw new Error(`${where} adds two concatenations split differently (${this.split(px)} and ${this.split(py)})`);
    px.forEach((p, i) => this.unify({ atom: p }, { atom: py[i] as number }, where));
  }

  private split(atoms: number[]): string {
    return atoms.map((a) => this.sizes[a]).join(" + ");
  }

  /** Size of an atomic group. */
  atomSize(a: number): number {
    return this.sizes[a] as number;
  }
}
