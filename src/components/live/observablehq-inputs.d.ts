// The parts of @observablehq/inputs (which ships no types) the live page's controls use.
declare module "@observablehq/inputs" {
  export function range(
    extent: [number, number],
    options?: {
      label?: string;
      step?: number;
      value?: number;
      width?: number | string;
      format?: (x: number) => string;
      disabled?: boolean;
    },
  ): HTMLFormElement & { value: number };
  export function select<T>(
    data: readonly T[],
    options?: {
      label?: string;
      value?: T;
      format?: (d: T) => string;
      width?: number | string;
      disabled?: boolean;
    },
  ): HTMLFormElement & { value: T };
  export function file(options?: {
    label?: string;
    accept?: string;
    multiple?: boolean;
    width?: number | string;
    disabled?: boolean;
  }): HTMLFormElement;
}
