/**
 * The papers the site builds on, cited where their ideas appear: pages write "[Solodskikh et al., 2023](#ref-inn)"
 * in their prose and end with References([...keys]), which lists each entry once with an anchor the citation
 * jumps to. Links are plain anchors: nothing is fetched from another origin unless the reader follows one.
 */

export interface Reference {
  /** How the prose cites it. */
  cite: string;
  authors: string;
  title: string;
  venue: string;
  url: string;
}

export const REFERENCES = {
  inn: {
    cite: "Solodskikh et al., 2023",
    authors:
      "Kirill Solodskikh, Azim Kurbanov, Ruslan Aydarkhanov, Irina Zhelavskaya, Yury Parfenov, Dehua Song, Stamatios Lefkimmiatis",
    title: "Integral Neural Networks",
    venue: "IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR), 2023",
    url: "https://openaccess.thecvf.com/content/CVPR2023/html/Solodskikh_Integral_Neural_Networks_CVPR_2023_paper.html",
  },
  sinn: {
    cite: "Lin et al., 2024",
    authors: "Jinhua Lin, Xin Li, Lin Ma, Bowen Ren, et al.",
    title: "Separable integral neural networks",
    venue: "Neural Networks, 2024",
    url: "https://doi.org/10.1016/j.neunet.2024.106838",
  },
  lhc: {
    cite: "Zhao et al., 2023",
    authors: "Rongzhen Zhao, Zhenzhi Wu, Qikun Zhang",
    title: "Learnable Heterogeneous Convolution: Learning both topology and strength",
    venue: "Neural Networks (2021); arXiv:2301.05440, 2023",
    url: "https://arxiv.org/abs/2301.05440",
  },
  ssc: {
    cite: "Lu et al., 2019",
    authors: "Yao Lu, Guangming Lu, Bob Zhang, Yuanrong Xu, Jinxing Li",
    title: "Super Sparse Convolutional Neural Networks",
    venue: "AAAI Conference on Artificial Intelligence, 2019",
    url: "https://ojs.aaai.org/index.php/AAAI/article/view/4356",
  },
  igpc: {
    cite: "Schwarz Schuler et al., 2022",
    authors: "Joao Paulo Schwarz Schuler, Santiago Romani, Domenec Puig, Hatem Rashwan, Mohamed Abdel-Nasser",
    title:
      "An Enhanced Scheme for Reducing the Complexity of Pointwise Convolutions in CNNs for Image Classification Based on Interleaved Grouped Filters without Divisibility Constraints",
    venue: "Entropy 24(9), 1264, 2022",
    url: "https://doi.org/10.3390/e24091264",
  },
  usnets: {
    cite: "Yu & Huang, 2019",
    authors: "Jiahui Yu, Thomas Huang",
    title: "Universally Slimmable Networks and Improved Training Techniques",
    venue: "IEEE/CVF International Conference on Computer Vision (ICCV), 2019",
    url: "https://arxiv.org/abs/1903.05134",
  },
  keys: {
    cite: "Keys, 1981",
    authors: "Robert Keys",
    title: "Cubic convolution interpolation for digital image processing",
    venue: "IEEE Transactions on Acoustics, Speech, and Signal Processing 29(6), 1981",
    url: "https://doi.org/10.1109/TASSP.1981.1163711",
  },
} as const satisfies Record<string, Reference>;

export type ReferenceKey = keyof typeof REFERENCES;

/** The page's reference list, in the order given; each item's id is "ref-<key>". */
export function References(keys: readonly ReferenceKey[]): HTMLElement {
  const list = document.createElement("ol");
  list.className = "il-references";
  list.dataset.testid = "references";
  for (const key of keys) {
    const r: Reference = REFERENCES[key];
    const item = document.createElement("li");
    item.id = `ref-${key}`;
    const link = document.createElement("a");
    link.href = r.url;
    link.rel = "noopener";
    link.textContent = r.title;
    item.append(`${r.authors}. `, link, `. ${r.venue}.`);
    list.append(item);
  }
  return list;
}

/** An inline citation, "Solodskikh et al., 2023", linking to the entry in the page's reference list. */
export function cite(key: ReferenceKey): HTMLAnchorElement {
  const a = document.createElement("a");
  a.href = `#ref-${key}`;
  a.className = "il-cite";
  a.textContent = REFERENCES[key].cite;
  return a;
}
