// Reactive breakpoints: phone (< 768 px) and tablet (768–1023 px).
import { onBeforeUnmount, ref } from 'vue';

export function useBreakpoints() {
  const phone = ref(window.innerWidth < 768);
  const tablet = ref(window.innerWidth >= 768 && window.innerWidth < 1024);
  const update = () => {
    phone.value = window.innerWidth < 768;
    tablet.value = window.innerWidth >= 768 && window.innerWidth < 1024;
  };
  window.addEventListener('resize', update);
  onBeforeUnmount(() => window.removeEventListener('resize', update));
  return { phone, tablet };
}
